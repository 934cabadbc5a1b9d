package workload

import "strings"

// literal escapes s for a container's args, which the kubelet expands: it replaces $(NAME)
// with the container's variable NAME, credentials included, and $$ with $. Every "$" doubled,
// the pod receives s exactly as the user wrote it, and nothing a user writes can read the
// pod's environment.
func literal[S ~string](s S) S {
	return S(strings.ReplaceAll(string(s), "$", "$$"))
}
