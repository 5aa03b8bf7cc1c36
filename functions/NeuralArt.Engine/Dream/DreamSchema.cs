using System.Text.Json.Nodes;
using NeuralArt.Contract;

namespace NeuralArt.Engine.Dream;

/// <summary>
/// The DeepDream engine's parameter table: the one home of their names, types, defaults, ranges and
/// help (the door checks requests with it, the dashboard builds its form from it, the CLI prints it).
/// The host's caps narrow the ranges they bound.
/// </summary>
public static class DreamSchema
{
    public const string Model = "model";
    public const string Layers = "layers";
    public const string Channels = "channels";
    public const string Octaves = "octaves";
    public const string OctaveScale = "octaveScale";
    public const string Iterations = "iterations";
    public const string Step = "step";
    public const string Jitter = "jitter";
    public const string TileSize = "tileSize";
    public const string MaxSize = "maxSize";
    public const string GuideSize = "guideSize";
    public const string Seed = "seed";

    /// <summary>Longest tap list text (<c>layer3:1,layer4:0.5</c>) accepted.</summary>
    public const int MaxLayersLength = 256;

    /// <summary>Most channels a selection may list.</summary>
    public const int MaxChannels = 4096;

    /// <summary>Seeds are non-negative 64-bit integers.</summary>
    private const long MaxSeed = long.MaxValue;

    public static IReadOnlyList<ParameterDescriptor> Describe(IReadOnlyList<string> models, string defaultModel, EngineLimits limits)
    {
        var maxSide = (int)Math.Min(DreamSettings.MaxImageSide, Math.Floor(Math.Sqrt(limits.MaxWorkingPixels)));
        return
        [
            new() { Name = Model, Type = ParameterTypes.Choice, Choices = models, Default = defaultModel, Help = "The network that dreams (a model of the catalog)." },
            new() { Name = Layers, Type = ParameterTypes.String, MaxLength = MaxLayersLength, Default = null,
                Help = "Layers to amplify, with weights: layer3 or layer3:1,layer4:0.5. Default: the model's recommended dream layers." },
            new() { Name = Channels, Type = ParameterTypes.IntegerList, Minimum = 0, MaxLength = MaxChannels, Advanced = true,
                Help = "Only amplify these channels of the layers (numbered from 0). Default: all channels." },
            new() { Name = Octaves, Type = ParameterTypes.Integer, Minimum = 1, Maximum = DreamSettings.MaxOctaves, Default = DreamSettings.DefaultOctaves,
                Help = "How many sizes the image is dreamed at, smallest first." },
            new() { Name = OctaveScale, Type = ParameterTypes.Number, Minimum = 1, ExclusiveMinimum = true, Maximum = DreamSettings.MaxOctaveScale,
                Default = DreamSettings.DefaultOctaveScale, Help = "Size ratio between consecutive octaves." },
            new() { Name = Iterations, Type = ParameterTypes.Integer, Minimum = 1, Maximum = Math.Min(DreamSettings.MaxIterations, limits.MaxIterations),
                Default = DreamSettings.DefaultIterations, Help = "Gradient steps per octave." },
            new() { Name = Step, Type = ParameterTypes.Number, Minimum = 0, ExclusiveMinimum = true, Maximum = DreamSettings.MaxStep, Default = DreamSettings.DefaultStep,
                Help = "Mean change per pixel per step (image in [0,1]): higher dreams harder." },
            new() { Name = Jitter, Type = ParameterTypes.Integer, Minimum = 0, Maximum = DreamSettings.MaxJitter, Default = DreamSettings.DefaultJitter, Advanced = true,
                Help = "Largest random shift in pixels before each step (undone after it); hides tile and stride patterns." },
            new() { Name = TileSize, Type = ParameterTypes.Integer, Minimum = DreamSettings.MinTileSize, Maximum = DreamSettings.MaxTileSize, Default = DreamSettings.DefaultTileSize,
                Advanced = true, Help = "Images with a side above this are processed in tiles of at most this size (less memory)." },
            new() { Name = MaxSize, Type = ParameterTypes.Integer, Minimum = DreamSettings.MinImageSide, Maximum = maxSide, Default = Math.Min(DreamSettings.DefaultMaxSize, maxSide),
                Help = "The photo is scaled down (never up) so its longer side is at most this many pixels." },
            new() { Name = GuideSize, Type = ParameterTypes.Integer, Minimum = DreamSettings.MinImageSide, Maximum = maxSide, Default = DreamSettings.DefaultGuideSize, Advanced = true,
                Help = "A guide image is scaled down to this longer side before its features are taken." },
            new() { Name = Seed, Type = ParameterTypes.Integer, Minimum = 0, Maximum = MaxSeed, Default = null,
                Help = "Random seed of the jitter; left out, one is drawn and recorded in job.json." },
        ];
    }

}
