using Granary.Grains.RateLimiting;
using Granary.Tests.Common;

namespace Granary.Grains.Tests.RateLimiting;

public sealed class TokenBucketTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void TryAcquire_FullBucket_AdmitsExactlyCapacity()
    {
        var bucket = new TokenBucket(10, 1, _time);
        for (var i = 0; i < 10; i++)
            Assert.True(bucket.TryAcquire(1).Admitted, $"request {i}");
        var rejected = bucket.TryAcquire(1);
        Assert.False(rejected.Admitted);
        Assert.Equal(0, rejected.Remaining);
        Assert.Equal(10, rejected.Limit);
    }

    [Fact]
    public void TryAcquire_AfterTimeAdvances_RefillsAtRate()
    {
        var bucket = new TokenBucket(10, 2, _time);
        bucket.TryAcquire(10);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(3, bucket.Tokens, 9);
        Assert.True(bucket.TryAcquire(3).Admitted);
        Assert.False(bucket.TryAcquire(1).Admitted);
    }

    [Fact]
    public void TryAcquire_LongIdle_CapsAtCapacity()
    {
        var bucket = new TokenBucket(5, 100, _time);
        bucket.TryAcquire(5);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(5, bucket.Tokens);
        var decision = bucket.TryAcquire(1);
        Assert.Equal(4, decision.Remaining);
        Assert.Equal(1, decision.ResetSeconds);
    }

    [Fact]
    public void TryAcquire_Rejected_ReportsRetryAfterAndReset()
    {
        var bucket = new TokenBucket(100, 10, _time);
        bucket.TryAcquire(100);
        _time.Advance(TimeSpan.FromMilliseconds(250)); // 2.5 tokens
        var decision = bucket.TryAcquire(5);
        Assert.False(decision.Admitted);
        Assert.Equal(2, decision.Remaining);
        Assert.Equal(1, decision.RetryAfterSeconds); // ceil(2.5 / 10)
        Assert.Equal(10, decision.ResetSeconds); // ceil(97.5 / 10)
        Assert.Equal(2.5, bucket.Tokens, 9); // a rejection takes nothing
    }

    [Fact]
    public void TryAcquire_RejectedWithLongWait_RetryAfterIsCeilingOfShortfallOverRate()
    {
        var bucket = new TokenBucket(20, 1, _time);
        bucket.TryAcquire(20);
        var decision = bucket.TryAcquire(3);
        Assert.Equal(3, decision.RetryAfterSeconds);
        Assert.Equal(20, decision.ResetSeconds);
    }

    [Fact]
    public void TryAcquire_Admitted_RetryAfterZeroAndResetFromDeficit()
    {
        var bucket = new TokenBucket(10, 4, _time);
        var decision = bucket.TryAcquire(3);
        Assert.True(decision.Admitted);
        Assert.Equal(7, decision.Remaining);
        Assert.Equal(0, decision.RetryAfterSeconds);
        Assert.Equal(1, decision.ResetSeconds); // ceil(3 / 4)
    }

    [Fact]
    public void TryAcquire_FractionalRate_OneTokenEveryTwoSeconds()
    {
        var bucket = new TokenBucket(1, 0.5, _time);
        Assert.True(bucket.TryAcquire(1).Admitted);
        var rejected = bucket.TryAcquire(1);
        Assert.False(rejected.Admitted);
        Assert.Equal(2, rejected.RetryAfterSeconds);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(bucket.TryAcquire(1).Admitted);
        Assert.Equal(1, bucket.TryAcquire(1).RetryAfterSeconds);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(bucket.TryAcquire(1).Admitted);
    }

    [Fact]
    public void TryAcquire_MoreThanCapacity_RejectedWithTimeToFull()
    {
        var bucket = new TokenBucket(5, 1, _time);
        bucket.TryAcquire(2);
        var decision = bucket.TryAcquire(6);
        Assert.False(decision.Admitted);
        Assert.Equal(2, decision.RetryAfterSeconds);
        Assert.Equal(3, decision.Remaining);
    }

    [Fact]
    public void TryAcquire_Negative_Throws()
    {
        var bucket = new TokenBucket(5, 1, _time);
        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.TryAcquire(-1));
    }

    [Fact]
    public void SetLimits_LowerCapacity_ClampsTokens()
    {
        var bucket = new TokenBucket(100, 1, _time);
        bucket.SetLimits(10, 1);
        Assert.Equal(10, bucket.Tokens);
        Assert.Equal(10, bucket.Capacity);
        Assert.Equal(10, bucket.TryAcquire(0).Limit);
    }

    [Fact]
    public void SetLimits_HigherCapacity_KeepsTokensAndRefillsAtNewRate()
    {
        var bucket = new TokenBucket(10, 1, _time);
        bucket.SetLimits(100, 20);
        Assert.Equal(10, bucket.Tokens);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(30, bucket.Tokens, 9);
        Assert.Equal(20, bucket.RatePerSec);
    }

    [Fact]
    public void SetLimits_AccruedTimeCountsAtOldRate()
    {
        var bucket = new TokenBucket(100, 1, _time);
        bucket.TryAcquire(100);
        _time.Advance(TimeSpan.FromSeconds(10));
        bucket.SetLimits(100, 50);
        Assert.Equal(10, bucket.Tokens, 9);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(1, 0.0)]
    [InlineData(1, -1.0)]
    [InlineData(1, double.NaN)]
    [InlineData(1_000_000_001, 1.0)]
    public void Constructor_InvalidLimits_Throws(long capacity, double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(capacity, rate, _time));

    [Fact]
    public void Constructor_StartEmpty_HasNoTokens()
    {
        var bucket = new TokenBucket(10, 1, _time, startFull: false);
        Assert.False(bucket.TryAcquire(1).Admitted);
    }

    [Fact]
    public void Fill_EmptyBucket_BackToCapacity()
    {
        var bucket = new TokenBucket(7, 1, _time);
        bucket.TryAcquire(7);
        bucket.Fill();
        Assert.Equal(7, bucket.Tokens);
    }

    [Fact]
    public void TryAcquire_SustainedLoad_AdmitsCapacityPlusRateTimesElapsed()
    {
        // 20 tokens, 1 token/s, hammered (4 requests every 125 ms) for 2 s: 20 + 2 admitted, as the acceptance test expects.
        var bucket = new TokenBucket(20, 1, _time);
        var admitted = 0;
        for (var step = 0; step <= 16; step++)
        {
            for (var i = 0; i < 4; i++)
            {
                if (bucket.TryAcquire(1).Admitted)
                    admitted++;
            }
            if (step < 16)
                _time.Advance(TimeSpan.FromMilliseconds(125));
        }
        Assert.Equal(22, admitted);
    }

    [Fact]
    public void Lease_GrantsWholeTokensOnlyAndSaysWhenTheNextComes()
    {
        var bucket = new TokenBucket(10, 4, _time);
        Assert.Equal(6, bucket.Lease(6, 0, out var remaining, out _, out var next));
        Assert.Equal((4L, 0), (remaining, next));
        Assert.Equal(4, bucket.Lease(9, 0, out remaining, out var reset, out next));
        Assert.Equal((0L, 3, 250), (remaining, reset, next));
        _time.Advance(TimeSpan.FromMilliseconds(100)); // 0.4 tokens
        Assert.Equal(0, bucket.Lease(1, 0, out _, out _, out next));
        Assert.Equal(150, next);
    }

    [Fact]
    public void Lease_ReturnedTokens_AddedBackCappedAtCapacity()
    {
        var bucket = new TokenBucket(10, 1, _time);
        bucket.Lease(8, 0, out _, out _, out _);
        Assert.Equal(0, bucket.Lease(0, 5, out var remaining, out _, out _));
        Assert.Equal(7, remaining);
        bucket.Lease(0, 1000, out remaining, out _, out _);
        Assert.Equal(10, remaining);
        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.Lease(-1, 0, out _, out _, out _));
    }
}
