using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Style.Tiling;

/// <summary>Runs a tiled style graph on one tile: cuts the tile out of the image, binds its crop boxes and the given inputs, returns the outputs.</summary>
internal static class TileRunner
{
    private const string ArenaShrinkageKey = "memory.enable_memory_arena_shrinkage";
    private const string ArenaShrinkageCpu = "cpu:0";

    public static Dictionary<string, (float[] Data, long[] Shape)> Run(
        OnnxSession session, ReadOnlySpan<float> image, int height, int width, StyleTile tile,
        IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs, IReadOnlyList<string> outputs, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var values = new List<OrtValue>();
        var names = new List<string>();
        try
        {
            var pixels = AlignedValues.Allocate([1, ImageTensor.Channels, tile.Height, tile.Width]);
            values.Add(pixels);
            names.Add(GraphNames.Image);
            Cut(image, height, width, tile, pixels.GetTensorMutableDataAsSpan<float>());
            foreach (var (tap, box) in tile.Crops)
            {
                names.Add(StyleTileNames.Crop(tap));
                values.Add(OrtValue.CreateTensorValueFromMemory((long[])box.Clone(), [4]));
            }
            foreach (var (name, (data, shape)) in inputs)
            {
                names.Add(name);
                values.Add(AlignedValues.Copy(data, shape));
            }
            using var runOptions = new RunOptions();
            // Hand the CPU arena's memory back after each tile: a large image alternates between two
            // graphs (partial Grams, tile gradients), whose arenas would otherwise both stay at their peak.
            runOptions.AddRunConfigEntry(ArenaShrinkageKey, ArenaShrinkageCpu);
            using var results = session.Session.Run(runOptions, names, values, outputs);
            var map = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
            for (var i = 0; i < outputs.Count; i++)
            {
                map[outputs[i]] = (results[i].GetTensorDataAsSpan<float>().ToArray(), results[i].GetTensorTypeAndShape().Shape);
            }
            return map;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>Copies the tile's region of a planar [3,H,W] image.</summary>
    public static void Cut(ReadOnlySpan<float> image, int height, int width, StyleTile tile, Span<float> destination)
    {
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var y = 0; y < tile.Height; y++)
            {
                image.Slice((c * height + tile.Y + y) * width + tile.X, tile.Width)
                    .CopyTo(destination.Slice((c * tile.Height + y) * tile.Width, tile.Width));
            }
        }
    }

    /// <summary>Adds a tile's gradient into the whole image's.</summary>
    public static void AddInto(ReadOnlySpan<float> tileGradient, Span<float> gradient, int height, int width, StyleTile tile)
    {
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var y = 0; y < tile.Height; y++)
            {
                var from = tileGradient.Slice((c * tile.Height + y) * tile.Width, tile.Width);
                var to = gradient.Slice((c * height + tile.Y + y) * width + tile.X, tile.Width);
                for (var x = 0; x < from.Length; x++) to[x] += from[x];
            }
        }
    }

    /// <summary>The [1,C,bh,bw] box of a [1,C,H,W] feature map at (top, left).</summary>
    public static float[] CropFeatures(FeatureMap map, int top, int left, int boxHeight, int boxWidth)
    {
        var (c, h, w) = ((int)map.Shape[1], (int)map.Shape[2], (int)map.Shape[3]);
        var result = new float[c * boxHeight * boxWidth];
        for (var ch = 0; ch < c; ch++)
        {
            for (var y = 0; y < boxHeight; y++)
            {
                map.Data.AsSpan((ch * h + top + y) * w + left, boxWidth).CopyTo(result.AsSpan((ch * boxHeight + y) * boxWidth, boxWidth));
            }
        }
        return result;
    }

    /// <summary>Writes a [1,C,bh,bw] box into a [1,C,H,W] map at (top, left).</summary>
    public static void Paste(float[] box, int boxHeight, int boxWidth, float[] map, int channels, int height, int width, int top, int left)
    {
        for (var ch = 0; ch < channels; ch++)
        {
            for (var y = 0; y < boxHeight; y++)
            {
                box.AsSpan((ch * boxHeight + y) * boxWidth, boxWidth).CopyTo(map.AsSpan((ch * height + top + y) * width + left, boxWidth));
            }
        }
    }
}
