using Granary.Grains.RateLimiting;

namespace Granary.Silo.Admin;

/// <summary>A registered client as the admin API returns it.</summary>
internal sealed record ClientView(string ClientId, long Capacity, double RatePerSec, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ClientView From(ClientRecord record) => new(record.ClientId, record.Capacity, record.RatePerSec, record.CreatedAt, record.UpdatedAt);
}
