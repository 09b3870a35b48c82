using System.Buffers;
using System.Collections.Concurrent;
using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Catalog;

/// <summary>
/// <see cref="IGrainCallInvoker"/> for calls made inside the silo (admin API, dashboard): encodes
/// the request, runs it through <see cref="Catalog.HandleAsync"/> exactly as a remote call would
/// run (same ownership check, same turns, same error codes), decodes the result. Deadline:
/// <see cref="SiloOptions.LocalCallTimeoutMs"/>. Buffers are pooled; a call that completes
/// synchronously allocates only its result.
/// </summary>
internal sealed class LocalGrainCallInvoker : IGrainCallInvoker
{
    private const int MaxPooledBuffers = 64;
    private const int MaxPooledBufferBytes = 64 * 1024;
    private static readonly ConcurrentQueue<ArrayBufferWriter<byte>> Buffers = new();

    private readonly Catalog _catalog;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly ILogger<LocalGrainCallInvoker> _logger;

    public LocalGrainCallInvoker(Catalog catalog, IOptions<SiloOptions> options, TimeProvider timeProvider, ILogger<LocalGrainCallInvoker> logger)
    {
        _catalog = catalog;
        _timeProvider = timeProvider;
        _timeout = TimeSpan.FromMilliseconds(options.Value.LocalCallTimeoutMs);
        _logger = logger;
    }

    public ValueTask<TResult> InvokeAsync<TRequest, TResult>(GrainId grainId, ushort methodId, TRequest request, CancellationToken cancellationToken = default)
        where TRequest : IGrainCodec<TRequest>
        where TResult : IGrainCodec<TResult>
    {
        var arguments = RentBuffer();
        TRequest.Write(new GrainWriter(arguments), request);
        var result = RentBuffer();
        var pending = _catalog.HandleAsync(new GrainRequestHeader(grainId, methodId), arguments.WrittenMemory, _catalog.ViewVersion, result, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
            return AwaitAsync<TResult>(pending, grainId, methodId, arguments, result, cancellationToken);
        try
        {
            return new ValueTask<TResult>(Decode<TResult>(grainId, pending.Result, result));
        }
        finally
        {
            ReturnBuffer(arguments);
            ReturnBuffer(result);
        }
    }

    private async ValueTask<TResult> AwaitAsync<TResult>(ValueTask<CallOutcome> pending, GrainId grainId, ushort methodId, ArrayBufferWriter<byte> arguments, ArrayBufferWriter<byte> result, CancellationToken cancellationToken)
        where TResult : IGrainCodec<TResult>
    {
        CallOutcome outcome;
        try
        {
            outcome = await pending.AsTask().WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The call may still run and write into the buffers: they are not returned to the pool.
            throw new TimeoutException($"Call to {grainId} method {methodId} got no answer within {_timeout.TotalMilliseconds} ms.");
        }
        try
        {
            return Decode<TResult>(grainId, outcome, result);
        }
        finally
        {
            ReturnBuffer(arguments);
            ReturnBuffer(result);
        }
    }

    public void InvokeOneWay<TRequest>(GrainId grainId, ushort methodId, TRequest request)
        where TRequest : IGrainCodec<TRequest>
    {
        var arguments = RentBuffer();
        TRequest.Write(new GrainWriter(arguments), request);
        var result = RentBuffer();
        var pending = _catalog.HandleAsync(new GrainRequestHeader(grainId, methodId), arguments.WrittenMemory, _catalog.ViewVersion, result, CancellationToken.None);
        if (pending.IsCompletedSuccessfully)
            CompleteOneWay(grainId, methodId, pending.Result, arguments, result);
        else
            _ = AwaitOneWayAsync(pending, grainId, methodId, arguments, result);
    }

    private async Task AwaitOneWayAsync(ValueTask<CallOutcome> pending, GrainId grainId, ushort methodId, ArrayBufferWriter<byte> arguments, ArrayBufferWriter<byte> result) =>
        CompleteOneWay(grainId, methodId, await pending.ConfigureAwait(false), arguments, result);

    private void CompleteOneWay(GrainId grainId, ushort methodId, CallOutcome outcome, ArrayBufferWriter<byte> arguments, ArrayBufferWriter<byte> result)
    {
        ReturnBuffer(arguments);
        ReturnBuffer(result);
        if (outcome.Kind == CallOutcomeKind.Error)
            CatalogLog.OneWayFailed(_logger, grainId, methodId, outcome.Error.Code, outcome.Error.Message);
        else if (outcome.Kind == CallOutcomeKind.WrongSilo)
            CatalogLog.OneWayFailed(_logger, grainId, methodId, "not_owner", $"owner: {outcome.OwnerEndpoint ?? "unknown"}");
    }

    private TResult Decode<TResult>(GrainId grainId, CallOutcome outcome, ArrayBufferWriter<byte> result)
        where TResult : IGrainCodec<TResult>
    {
        switch (outcome.Kind)
        {
            case CallOutcomeKind.Ok:
                var reader = new GrainReader(result.WrittenSpan);
                return TResult.Read(ref reader);
            case CallOutcomeKind.WrongSilo:
                throw new GrainCallException("not_owner", $"Silo {_catalog.LocalSilo} does not own {grainId}; owner: {outcome.OwnerEndpoint ?? "unknown"}.");
            default:
                throw new GrainCallException(outcome.Error.Code ?? "grain_error", outcome.Error.Message ?? "The call failed.");
        }
    }

    private static ArrayBufferWriter<byte> RentBuffer() => Buffers.TryDequeue(out var buffer) ? buffer : new ArrayBufferWriter<byte>(256);

    private static void ReturnBuffer(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > MaxPooledBufferBytes || Buffers.Count >= MaxPooledBuffers)
            return;
        buffer.ResetWrittenCount();
        Buffers.Enqueue(buffer);
    }
}
