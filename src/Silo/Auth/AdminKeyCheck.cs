namespace Granary.Silo.Auth;

/// <summary>The outcome of checking a request's admin key.</summary>
internal enum AdminKeyCheck
{
    /// <summary>The request needs no key (no key configured, or an open path).</summary>
    NotRequired,

    /// <summary>The request carries one of the configured keys.</summary>
    Accepted,

    /// <summary>The request carries no key (no <c>X-Admin-Key</c>, no <c>Authorization: Bearer</c>, or an empty one).</summary>
    Missing,

    /// <summary>The request carries a key that is none of the configured ones.</summary>
    Wrong,
}
