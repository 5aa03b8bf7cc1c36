using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Surgery;

/// <summary>
/// CNTK exports pad convolutions and pools asymmetrically (begin &gt; end, for example [3,3,2,2]),
/// which only lines residual branches up at sizes that are multiples of 32. Making the end pads
/// equal to the begin pads gives the torchvision layout: the same features at multiples of 32
/// (the extra end row is never read there) and valid shapes at any size.
/// </summary>
internal static class PadRewriter
{
    public static int MakeSymmetric(BackboneGraph graph)
    {
        var rewritten = 0;
        foreach (var node in graph.Nodes)
        {
            if (node.OpType is not ("Conv" or "MaxPool" or "AveragePool")) continue;
            if (node.GetInts("pads") is not { } pads) continue;
            var rank = pads.Length / 2;
            var symmetric = (long[])pads.Clone();
            for (var i = 0; i < rank; i++)
            {
                if (pads[rank + i] > pads[i])
                {
                    // Only begin >= end (CNTK style) keeps the features at the native size.
                    throw new GraphCompilationException(
                        $"Node '{node.Name}' ({node.OpType}) pads more at the end than at the start ({string.Join(",", pads)}); symmetricPads only applies to CNTK-style pads. Turn it off in the manifest.");
                }
                symmetric[rank + i] = pads[i];
            }
            if (symmetric.SequenceEqual(pads)) continue;
            node.Set(Attr.Ints("pads", symmetric));
            rewritten++;
        }
        return rewritten;
    }
}
