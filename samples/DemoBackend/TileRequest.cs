namespace Granary.Samples.DemoBackend;

/// <summary>A validated tile request: region [X0, X1] × [Y0, Y1], size in pixels, iteration cap.</summary>
public sealed record TileRequest(double X0, double Y0, double X1, double Y1, int Width, int Height, int Iterations);
