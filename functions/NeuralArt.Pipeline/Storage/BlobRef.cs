using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Storage;

/// <summary>
/// A reference to a blob as <c>container/name</c>. Orchestration inputs and outputs carry these,
/// never pixels, so that the history stays small whatever the image size.
/// </summary>
[JsonConverter(typeof(BlobRefJsonConverter))]
public readonly record struct BlobRef(string Container, string Name)
{
    /// <summary>Parses <c>container/name</c>; the name may contain further slashes.</summary>
    public static BlobRef Parse(string value) =>
        TryParse(value, out var blob) ? blob : throw new FormatException($"'{value}' is not a blob reference of the form container/name.");

    public static bool TryParse([NotNullWhen(true)] string? value, out BlobRef blob)
    {
        blob = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var slash = value.IndexOf('/');
        if (slash <= 0 || slash == value.Length - 1)
        {
            return false;
        }

        var container = value[..slash];
        var name = value[(slash + 1)..];
        if (!StorageLayout.IsValidContainerName(container) || !StorageLayout.IsValidBlobName(name))
        {
            return false;
        }

        blob = new BlobRef(container, name);
        return true;
    }

    /// <summary>The file name: the part of the name after the last slash.</summary>
    public string FileName => Name[(Name.LastIndexOf('/') + 1)..];

    public override string ToString() => $"{Container}/{Name}";
}

internal sealed class BlobRefJsonConverter : JsonConverter<BlobRef>
{
    public override BlobRef Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        BlobRef.Parse(reader.GetString() ?? throw new System.Text.Json.JsonException("A blob reference cannot be null."));

    public override void Write(System.Text.Json.Utf8JsonWriter writer, BlobRef value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
