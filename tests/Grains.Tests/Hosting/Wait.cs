namespace Granary.Grains.Tests.Hosting;

/// <summary>Bounded waits: poll a condition with a deadline, or wait for a task with one (never a fixed sleep).</summary>
public static class Wait
{
    /// <summary>The longest any test waits for the silo: 10 s.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> every 5 ms until it holds; fails naming <paramref name="what"/> after <see cref="Limit"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {Limit.TotalSeconds} s: {what}.");
            await Task.Delay(5);
        }
    }

    /// <summary>Waits for <paramref name="task"/>; fails naming <paramref name="what"/> after <see cref="Limit"/>.</summary>
    public static async Task ForAsync(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Not within {Limit.TotalSeconds} s: {what}.");
        }
    }
}
