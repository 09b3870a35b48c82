using System.Globalization;
using Granary.Grains.Contracts;

namespace Granary.Gateway.RateLimiting;

/// <summary>
/// The rate-limit response headers (IETF draft "RateLimit header fields for HTTP"): <c>RateLimit-Limit</c>,
/// <c>RateLimit-Remaining</c>, <c>RateLimit-Reset</c> (seconds), and <c>Retry-After</c> (seconds) on 429.
/// Small numbers come from a cache of strings, so the common case allocates nothing.
/// </summary>
internal static class RateLimitHeaders
{
    /// <summary>Bucket capacity, tokens.</summary>
    public const string Limit = "RateLimit-Limit";

    /// <summary>Whole tokens left.</summary>
    public const string Remaining = "RateLimit-Remaining";

    /// <summary>Seconds until the bucket is full.</summary>
    public const string Reset = "RateLimit-Reset";

    /// <summary>Seconds until a retry can succeed (429 only).</summary>
    public const string RetryAfter = "Retry-After";

    private static readonly string[] Numbers = CreateNumbers(1025);

    /// <summary>Sets the <c>RateLimit-*</c> headers (and <c>Retry-After</c> when rejected).</summary>
    public static void Apply(HttpResponse response, in RateLimitDecision decision)
    {
        var headers = response.Headers;
        headers[Limit] = Format(decision.Limit);
        headers[Remaining] = Format(Math.Max(0, decision.Remaining));
        headers[Reset] = Format(Math.Max(0, decision.ResetSeconds));
        if (!decision.Admitted)
            headers[RetryAfter] = Format(Math.Max(1, decision.RetryAfterSeconds));
    }

    /// <summary>Formats a non-negative number, from the cache when small.</summary>
    public static string Format(long value) =>
        (ulong)value < (ulong)Numbers.Length ? Numbers[value] : value.ToString(CultureInfo.InvariantCulture);

    private static string[] CreateNumbers(int count)
    {
        var result = new string[count];
        for (var i = 0; i < count; i++)
            result[i] = i.ToString(CultureInfo.InvariantCulture);
        return result;
    }
}
