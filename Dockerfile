# The image of one program of src/. Build context: the repository root
#   docker build --build-arg PROJECT=Ingest -t cinematic-switch/ingest .
#   docker build --build-arg PROJECT=Ops --build-arg KIND=tool -t cinematic-switch/ops .
# (docker-compose.yml does this for every service). docs/real-cluster.md explains the base images.
#
# PROJECT: the program's folder under src/ (Ingest, Processor, Archiver or Ops); its assembly is CinematicSwitch.$PROJECT.
# KIND: service (the default), an ASP.NET Core service on port 8080 with a health check; or tool, a command line program.
ARG PROJECT
ARG KIND=service

# Build: restore with the repository's central settings (SDK, analyzers, package versions), then publish for the
# image's architecture only, so that of librdkafka.redist's native builds it carries only that platform's.
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG PROJECT
ARG TARGETARCH
RUN test -n "$PROJECT" || { echo "PROJECT is required: --build-arg PROJECT=Ingest|Processor|Archiver|Ops" >&2; exit 1; }
WORKDIR /repo
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
# The libraries the programs reference (a program's restore reads only the ones it uses), then the program.
COPY src/Contracts/CinematicSwitch.Contracts.csproj src/Contracts/
COPY src/Fetching/CinematicSwitch.Fetching.csproj src/Fetching/
COPY src/Providers/CinematicSwitch.Providers.csproj src/Providers/
COPY src/SchemaRegistry/CinematicSwitch.SchemaRegistry.csproj src/SchemaRegistry/
COPY src/ServiceDefaults/CinematicSwitch.ServiceDefaults.csproj src/ServiceDefaults/
COPY src/Streaming/CinematicSwitch.Streaming.csproj src/Streaming/
COPY src/${PROJECT}/CinematicSwitch.${PROJECT}.csproj src/${PROJECT}/
RUN dotnet restore src/${PROJECT}/CinematicSwitch.${PROJECT}.csproj -a $TARGETARCH
# Contracts embeds the Avro schemas from schemas/.
COPY schemas/ schemas/
COPY src/ src/
RUN dotnet publish src/${PROJECT}/CinematicSwitch.${PROJECT}.csproj -c Release -a $TARGETARCH --self-contained false --no-restore -p:UseAppHost=false -o /app

# A command line program's runtime: Microsoft's ASP.NET Core image (Ubuntu 24.04; every project references the ASP.NET
# Core shared framework). librdkafka comes with the program (librdkafka.redist); on glibc Confluent.Kafka loads its
# self-contained centos8 build when the plain one lacks libsasl2.so.3, so no native package is installed.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS tool

# A service's runtime: the same, listening on 8080, and curl to answer the health check.
FROM tool AS service
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
# Healthy means ready: Kafka, the schema registry and S3 answer (/readyz).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/readyz || exit 1

# The program on the runtime of its kind, as the image's non-root user "app" (uid 1654). A tool's arguments are the
# command (docker-compose.yml runs "topology apply").
FROM ${KIND} AS runtime
ARG PROJECT
# The processor (bringing a photo to the ratio flux-dev ignores) and the archiver (joining a chained video's clips into one
# MP4) run ffmpeg.
RUN if [ "$PROJECT" = Processor ] || [ "$PROJECT" = Archiver ]; then \
      apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
COPY --from=build /app ./
USER app
ENV APP_DLL=CinematicSwitch.${PROJECT}.dll
# The shell execs dotnet, so dotnet is PID 1 and receives SIGTERM itself: a stop drains in-flight work.
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$APP_DLL\" \"$@\"", "dotnet"]
