using CoreDataConverter = DurableTask.Core.Serializing.DataConverter;
using PortableDataConverter = Microsoft.DurableTask.DataConverter;

namespace NeuralArt.Host.Durable;

/// <summary>
/// The framework's converter contract over the portable API's System.Text.Json converter, so that
/// what <c>TaskHubClient</c> writes (orchestration inputs) is what the shims read, and vice versa.
/// </summary>
internal sealed class SystemTextJsonDataConverter(PortableDataConverter inner) : CoreDataConverter
{
    public override string Serialize(object value) => inner.Serialize(value)!;

    public override string Serialize(object value, bool formatted) => inner.Serialize(value)!;

    public override object Deserialize(string data, Type objectType) => inner.Deserialize(data, objectType)!;
}
