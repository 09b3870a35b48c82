# Stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 where no image registry is reachable (tests/compose/run.sh):
# a Debian bookworm root file system made by debootstrap (imported as BASE_IMAGE) with this machine's own .NET
# runtimes (the context's dotnet/ folder: dotnet, host/, shared/) and the official image's user "app" (uid 1654).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY dotnet/ /usr/share/dotnet/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home --shell /usr/sbin/nologin app
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_NOLOGO=1
