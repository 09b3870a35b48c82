namespace Granary.Silo.Tests;

/// <summary>
/// A silo whose client grains fail on purpose by id prefix (an incoming grain-call filter):
/// <c>fail-timeout-*</c> throw <see cref="TimeoutException"/>, <c>fail-orleans-*</c> an
/// <see cref="OrleansException"/>, <c>fail-arg-*</c> an <see cref="ArgumentException"/>.
/// </summary>
public sealed class FailingGrainsSiloFixture : SiloFixture
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIncomingGrainCallFilter, FailingClientGrains>();

    private sealed class FailingClientGrains : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.TargetId.Type.ToString() == "client")
            {
                var key = context.TargetId.Key.ToString()!;
                if (key.StartsWith("fail-timeout-", StringComparison.Ordinal))
                    throw new TimeoutException("test: the grain did not answer");
                if (key.StartsWith("fail-orleans-", StringComparison.Ordinal))
                    throw new OrleansException("test: the message was rejected");
                if (key.StartsWith("fail-arg-", StringComparison.Ordinal))
                    throw new ArgumentException("test: the grain refuses these limits");
            }
            return context.Invoke();
        }
    }
}
