using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Compilation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>The real backbone and the bundled sample images, for style engine tests.</summary>
public sealed class StyleTestKit : IDisposable
{
    public StyleTestKit()
    {
        Catalog = ModelCatalog.Locate();
        Graphs = new CatalogGraphSource(Catalog);
        Engine = new NeuralStyleEngine(Graphs, Pool, new ImageLoader());
    }

    public ModelCatalog Catalog { get; }

    public CatalogGraphSource Graphs { get; }

    public OnnxSessionPool Pool { get; } = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });

    public NeuralStyleEngine Engine { get; }

    /// <summary>The repository's samples folder (next to models/).</summary>
    public string Samples => Path.Combine(Path.GetDirectoryName(Catalog.Directory)!, "samples");

    public byte[] Sample(string relative) => File.ReadAllBytes(Path.Combine(Samples, relative));

    public byte[] Cat => Sample("content/cat_chelsea.png");

    public byte[] StarryNight => Sample("style/van_gogh_starry_night.jpg");

    public byte[] Scream => Sample("style/munch_the_scream.jpg");

    public static NamedImage Style(byte[] bytes, string name = "style.png") => new(NeuralStyleEngine.StyleRole, name, bytes);

    public async Task<EngineCheckpoint> RunToEnd(EngineCheckpoint start, int chunk)
    {
        var state = start;
        while (!state.Progress.IsComplete) state = await Engine.RunChunkAsync(state.State, chunk);
        return state;
    }

    /// <summary>The rendered 8-bit PNG of a state, decoded back to floats.</summary>
    public async Task<ImageTensor> SavedImage(EngineCheckpoint state)
    {
        var png = await Engine.RenderAsync(state.State, RenderFormat.Png);
        using var image = Image.Load<Rgb24>(png);
        return image.ToTensor();
    }

    /// <summary>An encoded image resized (stretched) to height x width, as floats.</summary>
    public static ImageTensor Resized(byte[] bytes, int height, int width)
    {
        using var image = Image.Load<Rgb24>(bytes);
        image.Mutate(x => x.Resize(width, height));
        return image.ToTensor();
    }

    public void Dispose() => Pool.Dispose();
}
