# A container image of the switchboard command: a static binary on distroless, nothing else.
#
#   docker build -t switchboard .
#   docker run --rm -p 8080:8080 -e TWILIO_AUTH_TOKEN -v "$PWD/ivr:/ivr:ro" switchboard \
#       serve --flow /ivr/menu.yaml --policy /ivr/policy.csv --public-url https://ivr.example.com
#
# The binary embeds the time zone database (for business hours), the demo flow, the default model
# and policy, so the image needs no files of its own. It was written by reading, not built here:
# the project's machines reach no container registry.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: a static binary, which distroless/static can run (no libc in it).
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/switchboard ./cmd/switchboard

# distroless/static: CA certificates, /etc/passwd with nonroot, no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/switchboard /usr/local/bin/switchboard
# Every interface inside the container; publish the port with -p.
ENV SWITCHBOARD_ADDR=:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/switchboard"]
CMD ["serve"]
