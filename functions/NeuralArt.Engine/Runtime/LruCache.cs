namespace NeuralArt.Engine.Runtime;

/// <summary>
/// A small thread-safe least-recently-used cache with a fixed capacity: what callers can vary
/// (models, tap sets) never grows it past <see cref="Capacity"/>. Evicted values that are
/// <see cref="IDisposable"/> are not disposed here: the owner decides (they may still be in use).
/// </summary>
public sealed class LruCache<TKey, TValue> where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _index;
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();
    private readonly Lock _lock = new();

    public LruCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _index = new Dictionary<TKey, LinkedListNode<(TKey, TValue)>>(comparer);
    }

    public int Capacity { get; }

    public int Count
    {
        get { lock (_lock) return _index.Count; }
    }

    /// <summary>The cached value, or a new one from <paramref name="create"/> (called outside the lock; a race may create twice, one wins).</summary>
    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
    {
        lock (_lock)
        {
            if (_index.TryGetValue(key, out var hit))
            {
                _order.Remove(hit);
                _order.AddFirst(hit);
                return hit.Value.Value;
            }
        }

        var value = create(key);
        lock (_lock)
        {
            if (_index.TryGetValue(key, out var raced)) return raced.Value.Value;
            _index[key] = _order.AddFirst((key, value));
            while (_index.Count > Capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _index.Remove(last.Value.Key);
            }
            return value;
        }
    }
}
