namespace Granary.PostgreSql.Tests.Membership;

/// <summary>Polls a condition until true or a deadline passes (real time).</summary>
internal static class PgWait
{
    public static async Task<TimeSpan> UntilAsync(Func<bool> condition, TimeSpan deadline, string because)
    {
        var started = DateTime.UtcNow;
        while (!condition())
        {
            if (DateTime.UtcNow - started > deadline)
                Assert.Fail($"Timed out after {deadline.TotalMilliseconds} ms waiting until {because}.");
            await Task.Delay(10);
        }
        return DateTime.UtcNow - started;
    }

    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string because)
    {
        var started = DateTime.UtcNow;
        while (!await condition())
        {
            if (DateTime.UtcNow - started > deadline)
                Assert.Fail($"Timed out after {deadline.TotalMilliseconds} ms waiting until {because}.");
            await Task.Delay(10);
        }
        return DateTime.UtcNow - started;
    }
}
