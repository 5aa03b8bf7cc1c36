namespace NeuralArt.Graphs.Backward;

/// <summary>The ops the compiler can differentiate, and their rules.</summary>
internal static class BackwardRules
{
    private static readonly Dictionary<string, BackwardRule> Rules = new(StringComparer.Ordinal)
    {
        ["Conv"] = ConvolutionRule.Backward,
        ["BatchNormalization"] = ActivationRules.BatchNormalization,
        ["Relu"] = ActivationRules.Relu,
        ["LeakyRelu"] = ActivationRules.LeakyRelu,
        ["Clip"] = ActivationRules.Clip,
        ["MaxPool"] = PoolingRules.MaxPool,
        ["AveragePool"] = PoolingRules.AveragePool,
        ["GlobalAveragePool"] = PoolingRules.GlobalAveragePool,
        ["Add"] = ElementwiseRules.PassThrough,
        ["Sum"] = ElementwiseRules.PassThrough,
        ["Identity"] = ElementwiseRules.PassThrough,
        ["Sub"] = ElementwiseRules.Sub,
        ["Mul"] = ElementwiseRules.Mul,
        ["Concat"] = StructuralRules.Concat,
        ["Pad"] = StructuralRules.Pad,
        ["LRN"] = LrnRule.Backward,
    };

    /// <summary>Op types that can appear between the image and the taps (Dropout is normalized to Identity).</summary>
    public static IReadOnlyCollection<string> SupportedOps => [.. Rules.Keys, "Dropout"];

    public static BackwardRule For(global::Onnx.NodeProto node) =>
        Rules.TryGetValue(node.OpType, out var rule) ? rule : throw Unsupported(node);

    public static GraphCompilationException Unsupported(global::Onnx.NodeProto node) => new(
        $"Operator '{node.OpType}' (node '{node.Name}') is not supported by the gradient compiler. " +
        $"Supported: {string.Join(", ", SupportedOps.Order())}. Choose taps before this node.");

    public static void EnsureSupported(IEnumerable<global::Onnx.NodeProto> nodes)
    {
        foreach (var node in nodes)
        {
            if (!Rules.ContainsKey(node.OpType)) throw Unsupported(node);
        }
    }
}
