using System.Text.Json.Nodes;

namespace Granary.Silo.Dashboard;

/// <summary>One other silo's answer to a fan-out GET: its JSON body, or why there is none.</summary>
/// <param name="Member">The silo asked.</param>
/// <param name="Body">The parsed JSON body (status 200), or null.</param>
/// <param name="Error">Why there is no body (timeout, connection refused, HTTP status, no HTTP port), or null.</param>
internal sealed record PeerAnswer(ClusterMember Member, JsonNode? Body, string? Error);
