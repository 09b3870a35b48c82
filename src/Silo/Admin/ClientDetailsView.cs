using System.Text.Json.Serialization;

namespace Granary.Silo.Admin;

/// <summary>
/// <c>GET /clients/{id}</c>: registered limits plus the live bucket from the client grain.
/// When the grain does not answer, the live fields are null and <see cref="Error"/> says why.
/// </summary>
internal sealed record ClientDetailsView(
    string ClientId,
    long Capacity,
    double RatePerSec,
    double? Tokens,
    long? Admitted,
    long? Rejected,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);
