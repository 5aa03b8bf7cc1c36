using NeuralArt.Contract;
using NeuralArt.Engine.Dream;

namespace NeuralArt.Engine.Zoom;

/// <summary>
/// The zoom engine's parameter table: the one home of the motion and animation parameters' names,
/// types, defaults and ranges, plus the dream's own parameters taken from <see cref="DreamSchema"/>
/// with lighter per-frame defaults (a frame dreams on the previous one, so the dream accumulates).
/// The door, the dashboard and the CLI all read it; nothing else repeats a range.
/// </summary>
public static class ZoomSchema
{
    public const string Frames = "frames";
    public const string Zoom = "zoom";
    public const string Rotate = "rotate";
    public const string ShiftX = "shiftX";
    public const string ShiftY = "shiftY";
    public const string Fps = "fps";
    public const string Animations = "animations";

    public const int MinFrames = 1;
    public const int DefaultFrames = 24;

    /// <summary>Zoom factors are strictly above this: 1 is a still camera, below it zooms out (edges undefined).</summary>
    public const double ZoomFloor = 1;
    /// <summary>Past this a frame keeps too little of the previous one for the animation to read as a zoom.</summary>
    public const double MaxZoom = 1.5;
    public const double DefaultZoom = 1.05;

    public const double MaxRotate = 30;
    public const double DefaultRotate = 0;

    /// <summary>Largest drift per frame, in pixels of the working image.</summary>
    public const double MaxShift = 64;
    public const double DefaultShift = 0;

    public const int MinFps = 1;
    public const int MaxFps = 60;
    public const int DefaultFps = 12;

    /// <summary>Per frame: two octaves of five steps (a still takes four of ten).</summary>
    public const int DefaultOctaves = 2;
    public const int DefaultIterations = 5;
    /// <summary>Frames are smaller than stills by default: there are many of them.</summary>
    public const int DefaultMaxSize = 512;

    /// <summary>The dream parameters a zoom takes, as <see cref="DreamSchema"/> describes them.</summary>
    private static readonly string[] DreamParameters =
    [
        DreamSchema.Model, DreamSchema.Layers, DreamSchema.Octaves, DreamSchema.OctaveScale, DreamSchema.Iterations,
        DreamSchema.Step, DreamSchema.Jitter, DreamSchema.MaxSize, DreamSchema.Seed,
    ];

    public static IReadOnlyList<ParameterDescriptor> Describe(IReadOnlyList<string> models, string defaultModel, EngineLimits limits)
    {
        var dream = DreamSchema.Describe(models, defaultModel, limits)
            .Where(p => DreamParameters.Contains(p.Name, StringComparer.Ordinal))
            .Select(p => p.Name switch
            {
                DreamSchema.Octaves => p with { Default = DefaultOctaves, Help = "How many sizes each frame is dreamed at, smallest first." },
                DreamSchema.Iterations => p with { Default = DefaultIterations, Help = "Gradient steps per octave of each frame." },
                DreamSchema.MaxSize => p with { Default = Math.Min(DefaultMaxSize, p.Maximum is { } most ? (int)most : DefaultMaxSize) },
                DreamSchema.Seed => p with { Help = "Random seed of the jitter (each frame's is derived from it); left out, one is drawn and recorded in job.json." },
                _ => p,
            });
        return
        [
            new() { Name = Frames, Type = ParameterTypes.Integer, Minimum = MinFrames, Maximum = limits.MaxFrames, Default = Math.Min(DefaultFrames, limits.MaxFrames),
                Help = "How many frames to make: frame 0 dreams on the photo, each next one on the previous frame zoomed in." },
            new() { Name = Zoom, Type = ParameterTypes.Number, Minimum = ZoomFloor, ExclusiveMinimum = true, Maximum = MaxZoom, Default = DefaultZoom,
                Help = "Zoom per frame: the centre 1/zoom of each side of a frame, enlarged to the full size, starts the next frame." },
            new() { Name = Rotate, Type = ParameterTypes.Number, Minimum = -MaxRotate, Maximum = MaxRotate, Default = DefaultRotate,
                Help = "Degrees the view turns per frame, about the centre (positive: the picture turns clockwise)." },
            new() { Name = ShiftX, Type = ParameterTypes.Number, Minimum = -MaxShift, Maximum = MaxShift, Default = DefaultShift, Advanced = true,
                Help = "Pixels the view moves right per frame (negative: left)." },
            new() { Name = ShiftY, Type = ParameterTypes.Number, Minimum = -MaxShift, Maximum = MaxShift, Default = DefaultShift, Advanced = true,
                Help = "Pixels the view moves down per frame (negative: up)." },
            new() { Name = Fps, Type = ParameterTypes.Integer, Minimum = MinFps, Maximum = MaxFps, Default = DefaultFps,
                Help = "Frames per second of the animation and the video." },
            new() { Name = Animations, Type = ParameterTypes.Choice, Choices = ZoomAnimations.All, Default = ZoomAnimations.Default,
                Help = "Which animations are made from the frames at the end: an animated GIF, an MP4 video (H.264), both or none." },
            .. dream,
        ];
    }
}
