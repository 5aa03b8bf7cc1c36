namespace NeuralArt.Graphs.Compilation;

/// <summary>The tensors at the cut of a pool-split gradient graph (<see cref="PoolSplitter"/>).</summary>
public static class PoolSplitNames
{
    /// <summary>Output of the pre-pool graph: the pool's input, float32 [1,C,H,W].</summary>
    public const string PoolInput = "neuralart.pool.x";

    /// <summary>Input of the rest graph: the pool's output, float32 [1,C,h,w].</summary>
    public const string PoolOutput = "neuralart.pool.y";

    /// <summary>Output of the rest graph: d loss / d pool output, [1,C,h,w].</summary>
    public const string PoolOutputGrad = "neuralart.pool.dy";

    /// <summary>Input of the back graph: d loss / d pool input, [1,C,H,W].</summary>
    public const string PoolInputGrad = "neuralart.pool.dx";

    /// <summary>Metadata key of the pre-pool graph holding the pool's <see cref="MaxPoolGeometry.Format"/>.</summary>
    public const string GeometryMetadataKey = "neuralart.maxpool";
}
