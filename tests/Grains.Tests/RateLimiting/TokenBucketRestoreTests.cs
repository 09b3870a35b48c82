using Granary.Grains.RateLimiting;
using Granary.Tests.Common;

namespace Granary.Grains.Tests.RateLimiting;

public sealed class TokenBucketRestoreTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Restore_Tokens_SetsThemAndRefillsFromNow()
    {
        var bucket = new TokenBucket(10, 2, _time);
        _time.Advance(TimeSpan.FromSeconds(5));

        bucket.Restore(3.5);
        Assert.Equal(3.5, bucket.Tokens, 9);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(5.5, bucket.Tokens, 9);
    }

    [Theory]
    [InlineData(-4, 0)]
    [InlineData(25, 10)]
    public void Restore_OutOfRange_Clamped(double tokens, double expected)
    {
        var bucket = new TokenBucket(10, 2, _time);

        bucket.Restore(tokens);

        Assert.Equal(expected, bucket.Tokens);
    }

    [Fact]
    public void Restore_NaN_Throws()
    {
        var bucket = new TokenBucket(10, 2, _time);

        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.Restore(double.NaN));
        Assert.Equal(10, bucket.Tokens);
    }
}
