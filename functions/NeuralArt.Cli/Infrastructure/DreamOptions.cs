using System.ComponentModel;
using NeuralArt.Engine.Dream;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>
/// The dream options the commands that dream share with the same defaults (<c>dream</c> and
/// <c>zoom</c>); octaves, iterations and size differ per command (a zoom's frames are lighter).
/// </summary>
public abstract class DreamOptions : RuntimeSettings
{
    [CommandOption("--octave-scale <X>")]
    [Description("Size ratio between octaves.")]
    [DefaultValue(DreamSettings.DefaultOctaveScale)]
    public float OctaveScale { get; init; } = DreamSettings.DefaultOctaveScale;

    [CommandOption("--step <X>")]
    [Description("Mean change per pixel and step (image in [[0,1]]).")]
    [DefaultValue(DreamSettings.DefaultStep)]
    public float Step { get; init; } = DreamSettings.DefaultStep;

    [CommandOption("--layers <TAPS>")]
    [Description("Taps and weights, for example layer3 or layer3:1,layer4:0.5 (default: the model's recommended dream taps).")]
    public string? Layers { get; init; }

    [CommandOption("--jitter <PX>")]
    [Description("Largest random shift before each step.")]
    [DefaultValue(DreamSettings.DefaultJitter)]
    public int Jitter { get; init; } = DreamSettings.DefaultJitter;

    [CommandOption("--seed <N>")]
    [Description("Random seed for the jitter (default: random; the summary prints it).")]
    public long? Seed { get; init; }
}
