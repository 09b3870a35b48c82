namespace Granary.Deploy.Tests;

/// <summary>What a compose service runs.</summary>
internal enum ServiceKind
{
    Unknown,
    Postgres,
    Silo,
    Gateway,
    Backend,
}
