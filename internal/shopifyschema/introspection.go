package shopifyschema

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// introspection is the part of an introspection result the schema is built from. Descriptions
// are left out: validation does not need them and they are most of the file's size.
type introspection struct {
	Data struct {
		Schema introspectionSchema `json:"__schema"`
	} `json:"data"`
}

type introspectionSchema struct {
	QueryType        *typeName           `json:"queryType"`
	MutationType     *typeName           `json:"mutationType"`
	SubscriptionType *typeName           `json:"subscriptionType"`
	Types            []introspectionType `json:"types"`
	Directives       []directive         `json:"directives"`
}

type typeName struct {
	Name string `json:"name"`
}

type introspectionType struct {
	Kind          string       `json:"kind"`
	Name          string       `json:"name"`
	IsOneOf       bool         `json:"isOneOf"`
	Fields        []field      `json:"fields"`
	InputFields   []inputValue `json:"inputFields"`
	Interfaces    []typeName   `json:"interfaces"`
	EnumValues    []enumValue  `json:"enumValues"`
	PossibleTypes []typeName   `json:"possibleTypes"`
}

type field struct {
	Name              string       `json:"name"`
	Args              []inputValue `json:"args"`
	Type              typeRef      `json:"type"`
	IsDeprecated      bool         `json:"isDeprecated"`
	DeprecationReason *string      `json:"deprecationReason"`
}

type inputValue struct {
	Name              string  `json:"name"`
	Type              typeRef `json:"type"`
	DefaultValue      *string `json:"defaultValue"`
	IsDeprecated      bool    `json:"isDeprecated"`
	DeprecationReason *string `json:"deprecationReason"`
}

type enumValue struct {
	Name              string  `json:"name"`
	IsDeprecated      bool    `json:"isDeprecated"`
	DeprecationReason *string `json:"deprecationReason"`
}

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	OfType *typeRef `json:"ofType"`
}

type directive struct {
	Name         string       `json:"name"`
	IsRepeatable bool         `json:"isRepeatable"`
	Locations    []string     `json:"locations"`
	Args         []inputValue `json:"args"`
}

// builtinScalars and preludeDirectives are declared by gqlparser's prelude; declaring them
// again is an error.
var builtinScalars = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}

var preludeDirectives = map[string]bool{
	"defer": true, "deprecated": true, "include": true, "oneOf": true, "skip": true, "specifiedBy": true,
}

// requiredDirectives are directives the Admin API accepts that must be declared for documents
// using them to validate. The 2026-10 introspection already declares @idempotent; the entry
// keeps documents valid if a schema file is fetched from an endpoint that hides it.
var requiredDirectives = []directive{{
	Name:      "idempotent",
	Locations: []string{"FIELD"},
	Args:      []inputValue{{Name: "key", Type: typeRef{Kind: "NON_NULL", OfType: &typeRef{Kind: "SCALAR", Name: "String"}}}},
}}

// toSDL renders the introspection result as schema definition language, which gqlparser
// turns into a validated *ast.Schema.
func (s *introspectionSchema) toSDL() (string, error) {
	if s.QueryType == nil {
		return "", fmt.Errorf("introspection has no query type")
	}
	var b strings.Builder
	b.WriteString("schema {\n  query: " + s.QueryType.Name + "\n")
	if s.MutationType != nil {
		b.WriteString("  mutation: " + s.MutationType.Name + "\n")
	}
	if s.SubscriptionType != nil {
		b.WriteString("  subscription: " + s.SubscriptionType.Name + "\n")
	}
	b.WriteString("}\n")

	declared := map[string]bool{}
	for _, d := range s.Directives {
		declared[d.Name] = true
		if !preludeDirectives[d.Name] {
			writeDirective(&b, d)
		}
	}
	for _, d := range requiredDirectives {
		if !declared[d.Name] {
			writeDirective(&b, d)
		}
	}

	types := append([]introspectionType(nil), s.Types...)
	sort.Slice(types, func(i, j int) bool { return types[i].Name < types[j].Name })
	for _, t := range types {
		if strings.HasPrefix(t.Name, "__") || builtinScalars[t.Name] {
			continue
		}
		if err := writeType(&b, t); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func writeDirective(b *strings.Builder, d directive) {
	b.WriteString("directive @" + d.Name)
	writeArgs(b, d.Args)
	if d.IsRepeatable {
		b.WriteString(" repeatable")
	}
	b.WriteString(" on " + strings.Join(d.Locations, " | ") + "\n")
}

func writeType(b *strings.Builder, t introspectionType) error {
	switch t.Kind {
	case "SCALAR":
		b.WriteString("scalar " + t.Name + "\n")
	case "OBJECT", "INTERFACE":
		keyword := "type "
		if t.Kind == "INTERFACE" {
			keyword = "interface "
		}
		b.WriteString(keyword + t.Name)
		for i, in := range t.Interfaces {
			if i == 0 {
				b.WriteString(" implements ")
			} else {
				b.WriteString(" & ")
			}
			b.WriteString(in.Name)
		}
		b.WriteString(" {\n")
		for _, f := range t.Fields {
			b.WriteString("  " + f.Name)
			writeArgs(b, f.Args)
			b.WriteString(": " + f.Type.String())
			writeDeprecated(b, f.IsDeprecated, f.DeprecationReason)
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	case "UNION":
		names := make([]string, len(t.PossibleTypes))
		for i, p := range t.PossibleTypes {
			names[i] = p.Name
		}
		b.WriteString("union " + t.Name + " = " + strings.Join(names, " | ") + "\n")
	case "ENUM":
		b.WriteString("enum " + t.Name + " {\n")
		for _, v := range t.EnumValues {
			b.WriteString("  " + v.Name)
			writeDeprecated(b, v.IsDeprecated, v.DeprecationReason)
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	case "INPUT_OBJECT":
		b.WriteString("input " + t.Name)
		if t.IsOneOf {
			b.WriteString(" @oneOf")
		}
		b.WriteString(" {\n")
		for _, f := range t.InputFields {
			b.WriteString("  ")
			writeInputValue(b, f)
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	default:
		return fmt.Errorf("type %s has unknown kind %q", t.Name, t.Kind)
	}
	return nil
}

func writeArgs(b *strings.Builder, args []inputValue) {
	if len(args) == 0 {
		return
	}
	b.WriteString("(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		writeInputValue(b, a)
	}
	b.WriteString(")")
}

func writeInputValue(b *strings.Builder, v inputValue) {
	b.WriteString(v.Name + ": " + v.Type.String())
	if v.DefaultValue != nil {
		b.WriteString(" = " + *v.DefaultValue)
	}
	writeDeprecated(b, v.IsDeprecated, v.DeprecationReason)
}

func writeDeprecated(b *strings.Builder, deprecated bool, reason *string) {
	if !deprecated {
		return
	}
	if reason == nil {
		b.WriteString(" @deprecated")
		return
	}
	// A JSON string is a valid GraphQL string literal.
	quoted, _ := json.Marshal(*reason)
	b.WriteString(" @deprecated(reason: " + string(quoted) + ")")
}

func (t typeRef) String() string {
	switch t.Kind {
	case "NON_NULL":
		if t.OfType == nil {
			return "Unknown!"
		}
		return t.OfType.String() + "!"
	case "LIST":
		if t.OfType == nil {
			return "[Unknown]"
		}
		return "[" + t.OfType.String() + "]"
	default:
		return t.Name
	}
}
