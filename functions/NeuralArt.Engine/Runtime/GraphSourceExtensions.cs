using NeuralArt.Contract;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Manifests;

namespace NeuralArt.Engine.Runtime;

public static class GraphSourceExtensions
{
    /// <summary>
    /// The manifest of a catalog model, for a job: names only (a name outside the catalog is refused
    /// before any file is touched, so <c>/tmp/x</c> reads nothing), errors naming the field <c>model</c>
    /// and no server path.
    /// </summary>
    public static BackboneManifest ResolveModel(this IGraphSource graphs, string name)
    {
        if (!graphs.Models.Contains(name, StringComparer.Ordinal))
        {
            throw new InvalidArtworkInputException(
                $"There is no model named '{ParameterSchema.Printable(name)}'. Known models: {string.Join(", ", graphs.Models)}.", "model");
        }

        try
        {
            return graphs.GetManifest(name);
        }
        catch (GraphCompilationException ex)
        {
            throw new InvalidArtworkInputException(ex.Message, "model", ex);
        }
    }
}
