using NeuralArt.Contract;

namespace NeuralArt.Engine.Imaging;

/// <summary>The hosts' view of image inputs: <see cref="ImageLoader"/>'s byte limit and header check.</summary>
public sealed class ImageInputInspector(ImageLoader loader) : IInputInspector
{
    public long MaxBytes => loader.Limits.MaxBytes;

    public InputHeader Identify(ReadOnlyMemory<byte> header, string role, string name)
    {
        var image = loader.Identify(header, role, $"the {role} image '{name}'");
        return new InputHeader(role, name, image.Width, image.Height);
    }
}
