namespace Granary.Grains.Contracts;

/// <summary>How a proxied request ended, for passive health.</summary>
[GenerateSerializer, Alias("granary.OutcomeKind")]
public enum OutcomeKind : byte
{
    /// <summary>The destination answered with a status below 500.</summary>
    Success = 0,

    /// <summary>The destination answered 5xx.</summary>
    ServerError = 1,

    /// <summary>The connection could not be made (refused, reset, DNS).</summary>
    ConnectFailure = 2,

    /// <summary>The destination did not answer in time.</summary>
    Timeout = 3,

    /// <summary>The client went away; says nothing about the destination and is not counted against it.</summary>
    Canceled = 4,
}
