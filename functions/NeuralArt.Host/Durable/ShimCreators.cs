using DurableTask.Core;

namespace NeuralArt.Host.Durable;

/// <summary>
/// Hands the framework a fresh shim (from <c>DurableTaskShimFactory</c>) for every work item: shims
/// hold per-execution state, so one must never serve two orchestrations.
/// </summary>
internal sealed class ShimCreator<T> : ObjectCreator<T>
{
    private readonly Func<T> create;

    public ShimCreator(string name, Func<T> create)
    {
        Name = name;
        Version = string.Empty;
        this.create = create;
    }

    public override T Create() => create();
}
