# Granary silo: an Orleans silo with Granary's grains (silo-to-silo port 11111, Orleans gateway port 30000) and
# HTTP (/healthz, /metrics, admin API, /dashboard, /orleans; port 9090). Classic builder syntax: no BuildKit needed.
# The same image makes the cluster's development certificates: `--make-dev-certs /certs silo gateway`. From the repository root:
#   docker build -f deploy/silo.Dockerfile -t granary-silo .
# Base images are build arguments (defaults: Microsoft's official images):
#   --build-arg SDK_IMAGE=...      the stage that publishes the silo (dotnet publish)
#   --build-arg RUNTIME_IMAGE=...  the image it runs on (an ASP.NET Core 10 runtime, with a non-root user "app")
# `--target prebuilt --build-arg APP_DIR=<folder in the context>` takes a silo published outside Docker instead of
# building one (no SDK image needed; tests/compose/run.sh builds this way). Configuration by environment variables
# (Granary__Silo__SiloPort, Granary__PostgreSql__ConnectionString, Granary__Tls__*, ...): see "Deployment" in README.md.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

# The runtime, without the silo: shared by the two ways of getting it (below).
FROM ${RUNTIME_IMAGE} AS runtime-base
WORKDIR /app
COPY deploy/healthcheck.sh /usr/local/bin/healthcheck.sh
RUN chmod 755 /usr/local/bin/healthcheck.sh && mkdir -p /certs && chown app:app /certs
# Bind every interface inside the container. In a multi-silo cluster also set
# Granary__Silo__AdvertisedHost to the name other containers reach this one by (e.g. the compose service).
# ASPNETCORE_HTTP_PORTS is cleared: the silo binds its own ports (Granary__Silo__SiloPort/GatewayPort/HttpPort).
# Beyond loopback the silo refuses to start without mutual TLS: set Granary__Tls__CertificatePath/KeyPath/CaPath
# (compose mounts the development certificates at /certs, owned by the app user).
# Set Granary__Silo__AdminKey too: without a key the HTTP port listens on the container's loopback only
# (the health check below still reaches it; nothing outside the container does).
ENV ASPNETCORE_HTTP_PORTS="" \
    Granary__Silo__Host=0.0.0.0
EXPOSE 11111 30000 9090
# "app" (uid 1654) ships with the .NET 8+ images.
USER app
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
    CMD healthcheck.sh "${Granary__Silo__HttpPort:-9090}" /healthz
ENTRYPOINT ["dotnet", "Granary.Silo.dll"]

# A silo published outside Docker (`dotnet publish src/Silo -o <context>/<APP_DIR>`); built only with --target prebuilt.
FROM runtime-base AS prebuilt
ARG APP_DIR=deploy/prebuilt/none
COPY ${APP_DIR}/ ./

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# Only what the silo's project graph needs: shared build props, the sources, and the SQL migrations
# that Granary.PostgreSql embeds as resources.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
COPY deploy/sql/ deploy/sql/
RUN dotnet publish src/Silo/Granary.Silo.csproj -c Release -o /app -p:UseAppHost=false -nologo

# The default target: the silo built from source above.
FROM runtime-base AS runtime
COPY --from=build /app ./
