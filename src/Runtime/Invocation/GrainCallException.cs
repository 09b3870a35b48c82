namespace Granary.Runtime.Invocation;

/// <summary>A grain call failed at the callee: the grain threw, or the silo refused the call.</summary>
/// <param name="code">A short stable code: <c>grain_error</c>, <c>bad_request</c>, <c>unknown_grain_type</c>, <c>unknown_method</c>, <c>not_owner</c>, <c>overloaded</c>, <c>shutting_down</c>.</param>
/// <param name="message">The callee's explanation.</param>
public sealed class GrainCallException(string code, string message) : Exception(message)
{
    /// <summary>The stable error code (see the constructor).</summary>
    public string Code { get; } = code;
}
