namespace NeuralArt.Graphs.Compilation;

/// <summary>Names of the compiled graphs' inputs and outputs.</summary>
public static class GraphNames
{
    /// <summary>Input: float32 [1,3,H,W], RGB in [0,1].</summary>
    public const string Image = "image";
    /// <summary>Output: float32 scalar objective.</summary>
    public const string Loss = "loss";
    /// <summary>Output: d loss / d image, float32 [1,3,H,W].</summary>
    public const string Grad = "grad";
    /// <summary>Input prefix for guide features of a tap (guided dream): <c>guide.layer3</c>.</summary>
    public const string GuidePrefix = "guide.";
}

/// <summary>A compiled graph on disk and what it computes.</summary>
public sealed record CompiledGraph(string Path, string Backbone, string ObjectiveKey, string Hash);
