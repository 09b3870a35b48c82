# Granary demo backend (samples/DemoBackend): GET /healthz, GET /mandelbrot (PNG tiles), any other
# path a small JSON body; every response carries X-Backend-Id. Classic builder syntax. From the repository root:
#   docker build -f deploy/backend.Dockerfile -t granary-backend .
# Base images are build arguments (SDK_IMAGE, RUNTIME_IMAGE; defaults: Microsoft's official images);
# `--target prebuilt --build-arg APP_DIR=<folder>` takes a backend published outside Docker (tests/compose/run.sh).
# Options are command-line arguments: --host --port --id --latency-ms (default: all interfaces, port 5001).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${RUNTIME_IMAGE} AS runtime-base
WORKDIR /app
COPY deploy/healthcheck.sh /usr/local/bin/healthcheck.sh
RUN chmod 755 /usr/local/bin/healthcheck.sh
ENV ASPNETCORE_HTTP_PORTS=""
EXPOSE 5001
USER app
# Keep the port here and in CMD in step (compose runs every backend on 5001 inside its container).
HEALTHCHECK --interval=5s --timeout=3s --start-period=15s --retries=3 \
    CMD healthcheck.sh 5001 /healthz
ENTRYPOINT ["dotnet", "Granary.Samples.DemoBackend.dll"]
CMD ["--host", "0.0.0.0", "--port", "5001"]

# A backend published outside Docker; built only with --target prebuilt.
FROM runtime-base AS prebuilt
ARG APP_DIR=deploy/prebuilt/none
COPY ${APP_DIR}/ ./

FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY samples/DemoBackend/ samples/DemoBackend/
COPY samples/Imaging/ samples/Imaging/
RUN dotnet publish samples/DemoBackend/Granary.Samples.DemoBackend.csproj -c Release -o /app -p:UseAppHost=false -nologo

# The default target: the backend built from source above.
FROM runtime-base AS runtime
COPY --from=build /app ./
