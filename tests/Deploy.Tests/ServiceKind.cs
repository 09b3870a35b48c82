namespace Granary.Deploy.Tests;

/// <summary>What a compose service runs.</summary>
internal enum ServiceKind
{
    Unknown,
    Postgres,
    Silo,
    Gateway,
    Backend,

    /// <summary>The one-shot service that makes the development CA and certificates (the silo image with <c>--make-dev-certs</c>).</summary>
    Certificates,
}
