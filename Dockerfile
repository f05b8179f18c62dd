# The image of one program of src/. Build context: the repository root
#   docker build --build-arg PROJECT=Ingest -t cinematic-switch/ingest .
#   docker build --build-arg PROJECT=Ops --build-arg KIND=tool -t cinematic-switch/ops .
# (docker-compose.yml does this for every service). docs/real-cluster.md explains the base images.
#
# PROJECT: the program's folder under src/ (Ingest, Processor, Archiver or Ops); its assembly is CinematicSwitch.$PROJECT.
# KIND: service (the default), an ASP.NET Core service on port 8080 with a health check; or tool, a command line program.
ARG PROJECT
ARG KIND=service

# Build: restore with the repository's central settings (SDK, analyzers, package versions), then publish.
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG PROJECT
RUN test -n "$PROJECT" || { echo "PROJECT is required: --build-arg PROJECT=Ingest|Processor|Archiver|Ops" >&2; exit 1; }
WORKDIR /repo
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
# The libraries the programs reference (a program's restore reads only the ones it uses), then the program.
COPY src/Avro/CinematicSwitch.Avro.csproj src/Avro/
COPY src/Contracts/CinematicSwitch.Contracts.csproj src/Contracts/
COPY src/Providers/CinematicSwitch.Providers.csproj src/Providers/
COPY src/SchemaRegistry/CinematicSwitch.SchemaRegistry.csproj src/SchemaRegistry/
COPY src/ServiceDefaults/CinematicSwitch.ServiceDefaults.csproj src/ServiceDefaults/
COPY src/Streaming/CinematicSwitch.Streaming.csproj src/Streaming/
COPY src/${PROJECT}/CinematicSwitch.${PROJECT}.csproj src/${PROJECT}/
RUN dotnet restore src/${PROJECT}/CinematicSwitch.${PROJECT}.csproj
# Contracts embeds the Avro schemas from schemas/.
COPY schemas/ schemas/
COPY src/ src/
RUN dotnet publish src/${PROJECT}/CinematicSwitch.${PROJECT}.csproj -c Release --no-restore -p:UseAppHost=false -o /app

# The .NET runtime, taken from Microsoft's image: .NET 10 images are Ubuntu-based and none is Debian's.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS dotnet

# A command line program's runtime: Debian bookworm, whose librdkafka1 (2.0.2) is the native Kafka client
# Confluent.Kafka 1.9.3 is used with everywhere in this project (KafkaNative loads librdkafka.so.1).
FROM debian:bookworm-slim AS tool
# libssl, zlib and libstdc++ are what the runtime itself needs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 libstdc++6 tzdata zlib1g librdkafka1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && groupadd --gid 1654 app \
 && useradd --uid 1654 --gid app --create-home --shell /usr/sbin/nologin app

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

# The program on the runtime of its kind. A tool's arguments are the command (docker-compose.yml runs "topology apply").
FROM ${KIND} AS runtime
ARG PROJECT
WORKDIR /app
COPY --from=build /app ./
USER app
ENV APP_DLL=CinematicSwitch.${PROJECT}.dll
# The shell execs dotnet, so dotnet is PID 1 and receives SIGTERM itself: a stop drains in-flight work.
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$APP_DLL\" \"$@\"", "dotnet"]
