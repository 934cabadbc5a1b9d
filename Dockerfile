# One image for every role: manager, sync and relay. `make image` builds the same image in Go,
# without Docker (static binary, CA certificates, time-zone data, user 65532).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY api/ api/
COPY cmd/ cmd/
COPY controllers/ controllers/
COPY internal/ internal/
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -tags timetzdata -o /out/inventory-operator ./cmd/inventory-operator

# distroless/static carries CA certificates and time-zone data (timeZone on schedules), and
# runs as a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/inventory-operator /inventory-operator
USER 65532:65532
ENTRYPOINT ["/inventory-operator"]
CMD ["manager"]
