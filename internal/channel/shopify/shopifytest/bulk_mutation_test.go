package shopifytest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

const stageVariables = `mutation {
  stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES, filename: "vars.jsonl", mimeType: "text/jsonl", httpMethod: POST}]) {
    stagedTargets { url parameters { name value } }
    userErrors { field message }
  }
}`

const runBulkMutation = `mutation($m: String!, $path: String!) {
  bulkOperationRunMutation(mutation: $m, stagedUploadPath: $path) {
    bulkOperation { id status type }
    userErrors { field message code }
  }
}`

const bulkAdjust = `mutation($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) { userErrors { code field message } }
}`

// stage uploads jsonl the way Shopify documents it: a staged target from stagedUploadsCreate,
// then a multipart POST of its parameters and the file. It returns the stagedUploadPath, the
// key parameter.
func stage(t *testing.T, s shop, jsonl string) string {
	t.Helper()
	var out struct {
		Create struct {
			StagedTargets []struct {
				URL        string `json:"url"`
				Parameters []struct{ Name, Value string }
			} `json:"stagedTargets"`
		} `json:"stagedUploadsCreate"`
	}
	decodeData(t, do(t, s.srv, stageVariables, nil), &out)
	target := out.Create.StagedTargets[0]
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	var key string
	for _, p := range target.Parameters {
		if p.Name == "key" {
			key = p.Value
		}
		if err := mw.WriteField(p.Name, p.Value); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", "vars.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(jsonl))
	_ = mw.Close()
	res, err := http.Post(target.URL, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 || key == "" {
		t.Fatalf("upload: %s, key %q", res.Status, key)
	}
	return key
}

type bulkMutationRun struct {
	Run struct {
		BulkOperation *struct{ ID, Status, Type string } `json:"bulkOperation"`
		UserErrors    []struct {
			Field         []string
			Message, Code string
		} `json:"userErrors"`
	} `json:"bulkOperationRunMutation"`
}

func startBulkMutation(t *testing.T, s shop, mutation, path string) bulkMutationRun {
	t.Helper()
	var out bulkMutationRun
	decodeData(t, do(t, s.srv, runBulkMutation, map[string]any{"m": mutation, "path": path}), &out)
	return out
}

func adjustLine(s shop) string {
	return `{"input":{"name":"available","reason":"correction","changes":[{"inventoryItemId":"` + s.items[0] +
		`","locationId":"` + s.loc + `","delta":5,"changeFromQuantity":null}]}}` + "\n"
}

// Since 2026-01 five bulk queries and, apart, five bulk mutations run at once per shop: five
// mutations do not hold back a query, and five queries do not hold back a mutation.
func TestBulkQueriesAndMutationsAreCountedApart(t *testing.T) {
	s := newShop(t, 1, Options{})
	query := `{ productVariants { edges { node { sku } } } }`
	releaseMutations := s.srv.OccupyBulkOperations(BulkMutation, maxBulkConcurrent)
	if op := runBulkQuery(t, s, query); op.Status != "COMPLETED" {
		t.Fatalf("a query while five mutations run: %+v", op)
	}
	path := stage(t, s, adjustLine(s))
	if out := startBulkMutation(t, s, bulkAdjust, path); out.Run.BulkOperation != nil || len(out.Run.UserErrors) != 1 || out.Run.UserErrors[0].Code != "LIMIT_REACHED" {
		t.Fatalf("a sixth mutation: %+v", out.Run)
	}
	releaseMutations()

	releaseQueries := s.srv.OccupyBulkOperations(BulkQuery, maxBulkConcurrent)
	defer releaseQueries()
	for i := range maxBulkConcurrent {
		out := startBulkMutation(t, s, bulkAdjust, path)
		if op := out.Run.BulkOperation; op == nil || op.Type != BulkMutation || op.Status != "RUNNING" {
			t.Fatalf("mutation %d while five queries run: %+v", i+1, out.Run)
		}
	}
	if out := startBulkMutation(t, s, bulkAdjust, path); len(out.Run.UserErrors) != 1 || out.Run.UserErrors[0].Code != "LIMIT_REACHED" {
		t.Fatalf("a sixth mutation: %+v", out.Run)
	}
	s.srv.AssertNoErrors(t)
}

// What is documented of a bulk mutation is modelled; what is not is left out: the fake applies
// no line, spends nothing of the bucket on lines, and the operation runs until canceled.
func TestABulkMutationIsStartedButAppliesNothing(t *testing.T) {
	s := newShop(t, 1, Options{})
	path := stage(t, s, strings.Repeat(adjustLine(s), 3))
	before := s.srv.Stats().PointsSpent
	out := startBulkMutation(t, s, bulkAdjust, path)
	op := out.Run.BulkOperation
	if op == nil || op.Status != "RUNNING" || op.Type != BulkMutation {
		t.Fatalf("start: %+v", out.Run)
	}
	if spent := s.srv.Stats().PointsSpent - before; spent != mutationCost {
		t.Fatalf("starting spent %d points, want %d", spent, mutationCost)
	}
	var current struct {
		Op *struct{ ID, Status string } `json:"currentBulkOperation"`
	}
	decodeData(t, do(t, s.srv, `{ currentBulkOperation(type: MUTATION) { id status } }`, nil), &current)
	if current.Op == nil || current.Op.ID != op.ID {
		t.Fatalf("currentBulkOperation(type: MUTATION) = %+v, want %s", current.Op, op.ID)
	}
	if got := s.srv.Available(s.items[0], s.loc); got != 10 {
		t.Fatalf("available %d: the fake applied a line", got)
	}
	var canceled struct {
		Cancel struct {
			BulkOperation struct{ Status string } `json:"bulkOperation"`
		} `json:"bulkOperationCancel"`
	}
	decodeData(t, do(t, s.srv, `mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }`,
		map[string]any{"id": op.ID}), &canceled)
	if canceled.Cancel.BulkOperation.Status != "CANCELED" || s.srv.bulk.running(BulkMutation) != 0 {
		t.Fatalf("cancel: %+v", canceled)
	}
	s.srv.AssertNoErrors(t)
}

func TestABulkMutationNeedsAValidMutationAndAStagedFile(t *testing.T) {
	s := newShop(t, 1, Options{})
	path := stage(t, s, adjustLine(s))
	if out := startBulkMutation(t, s, `mutation { nope }`, path); len(out.Run.UserErrors) != 1 || out.Run.UserErrors[0].Code != "INVALID_MUTATION" {
		t.Fatalf("invalid mutation: %+v", out.Run)
	}
	if len(s.srv.InvalidDocuments()) != 1 {
		t.Fatalf("invalid documents %+v, want the bulk mutation", s.srv.InvalidDocuments())
	}
	if out := startBulkMutation(t, s, `{ shop { name } }`, path); len(out.Run.UserErrors) != 1 || out.Run.UserErrors[0].Code != "INVALID_MUTATION" {
		t.Fatalf("a query: %+v", out.Run)
	}
	if out := startBulkMutation(t, s, bulkAdjust, "tmp/bulk/unknown/vars.jsonl"); len(out.Run.UserErrors) != 1 || out.Run.UserErrors[0].Code != "NO_SUCH_FILE" {
		t.Fatalf("no staged file: %+v", out.Run)
	}
}
