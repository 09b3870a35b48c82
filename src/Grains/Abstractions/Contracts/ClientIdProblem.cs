namespace Granary.Grains.Contracts;

/// <summary>Why a client id breaks <see cref="ClientIdRules"/>; each has a metric tag (<see cref="ClientIdRules.Tag"/>).</summary>
public enum ClientIdProblem
{
    /// <summary>The id is valid.</summary>
    None,

    /// <summary>Empty, or only white space (tag <c>empty</c>).</summary>
    Empty,

    /// <summary>Longer than the maximum length (tag <c>too_long</c>).</summary>
    TooLong,

    /// <summary>Has a character outside <c>[A-Za-z0-9._:@-]</c> (tag <c>invalid_character</c>).</summary>
    InvalidCharacter,

    /// <summary>Given more than once, e.g. an HTTP header repeated with different values (tag <c>repeated</c>).</summary>
    Repeated,
}
