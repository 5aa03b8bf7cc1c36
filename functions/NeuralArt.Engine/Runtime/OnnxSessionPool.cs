using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// ONNX Runtime sessions by compiled graph, created on first use and reused (register the pool as a
/// singleton). At most <see cref="OnnxRuntimeOptions.MaxSessions"/> are kept: past that the least
/// recently used one that no step is using is evicted (the least recently used of all when every
/// one is in use). Callers rent a session (<see cref="Rent"/>) and dispose the lease when done; an
/// evicted session is disposed only once its last lease ends, never under a running step. Which
/// execution provider the sessions run on, and with what options, is <see cref="ExecutionProviders"/>'s.
/// </summary>
public sealed class OnnxSessionPool : IDisposable
{
    private const string BuiltKeyPrefix = "built:";

    private readonly OnnxRuntimeOptions _options;
    private readonly ILogger _logger;
    // Guards _entries and _recency (most recently used first) and the entries' flags.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private readonly ExecutionProviders _providers;
    private long _created;
    private bool _disposed;

    public OnnxSessionPool(IOptions<OnnxRuntimeOptions> options, ILogger<OnnxSessionPool>? logger = null)
        : this(options.Value, logger) { }

    public OnnxSessionPool(OnnxRuntimeOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new OnnxRuntimeOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxSessions, "MaxSessions");
        _logger = logger ?? NullLogger.Instance;
        _providers = new ExecutionProviders(_options, _logger);
    }

    public OnnxRuntimeOptions Options => _options;

    /// <summary>The device sessions run on, once the first session exists.</summary>
    public ExecutionDevice? Device => _providers.Device;

    /// <summary>The device every session of this pool runs on, decided now if no session has been opened yet.</summary>
    public ExecutionDevice DecideDevice() => _providers.Decide();

    /// <summary>Why CUDA is not used, when <see cref="ExecutionProviderPreference.Auto"/> fell back to the CPU.</summary>
    public string? FallbackReason => _providers.FallbackReason;

    /// <summary>Sessions the pool holds now (at most <see cref="OnnxRuntimeOptions.MaxSessions"/>).</summary>
    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    /// <summary>Sessions created since the pool was made (a rise means a graph was loaded again or anew).</summary>
    public long CreatedCount => Interlocked.Read(ref _created);

    /// <summary>The keys of the sessions held, most recently used first (for diagnostics and tests).</summary>
    public IReadOnlyList<string> Keys
    {
        get { lock (_gate) return _recency.Select(e => e.Key).ToList(); }
    }

    /// <summary>The pooled session for the graph at <paramref name="modelPath"/>, created on first use.</summary>
    public OnnxSessionLease Rent(string modelPath)
    {
        var key = Path.GetFullPath(modelPath);
        return Rent(key, () =>
        {
            if (!File.Exists(key)) throw new FileNotFoundException($"Compiled graph '{key}' does not exist.", key);
            return key;
        });
    }

    /// <summary>
    /// The pooled session for an in-memory model (built by <paramref name="build"/> when not pooled),
    /// under a key that must not collide with graph paths, for example <c>step:roll</c>.
    /// </summary>
    public OnnxSessionLease RentBuilt(string key, Func<byte[]> build) => Rent(BuiltKeyPrefix + key, () => build());

    /// <param name="source">Returns the model's path (string) or bytes (byte[]).</param>
    private OnnxSessionLease Rent(string key, Func<object> source)
    {
        while (true)
        {
            Entry entry;
            List<Entry> evicted;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_entries.TryGetValue(key, out var node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    entry = node.Value;
                    evicted = [];
                }
                else
                {
                    entry = new Entry(key, new Lazy<OnnxSession>(() => Create(key, source()), LazyThreadSafetyMode.ExecutionAndPublication));
                    _entries[key] = _recency.AddFirst(entry);
                    evicted = EvictOverflow();
                }
            }
            ReleaseEvicted(evicted);

            OnnxSession session;
            try
            {
                session = entry.Session.Value;
            }
            catch
            {
                // Do not cache failures (a graph being written by another process may load next time).
                lock (_gate)
                {
                    if (_entries.TryGetValue(key, out var node) && ReferenceEquals(node.Value, entry))
                    {
                        _entries.Remove(key);
                        _recency.Remove(node);
                    }
                }
                throw;
            }

            // A session evicted and released between the lookup and here is gone: look it up again.
            if (!session.TryAddReference()) continue;
            var lease = new OnnxSessionLease(session);
            // Evicted while it was still being created: eviction could not drop the pool's reference then.
            if (TakePoolReference(entry)) session.Release();
            return lease;
        }
    }

    /// <summary>Removes entries past the bound, idle ones (no lease) first, least recently used first. Under the gate.</summary>
    private List<Entry> EvictOverflow()
    {
        var evicted = new List<Entry>();
        while (_entries.Count > _options.MaxSessions)
        {
            var victim = LeastRecentlyUsed(idleOnly: true) ?? LeastRecentlyUsed(idleOnly: false)!;
            _entries.Remove(victim.Value.Key);
            _recency.Remove(victim);
            victim.Value.Evicted = true;
            evicted.Add(victim.Value);
        }
        return evicted;
    }

    /// <summary>The least recently used entry other than the newest (the one being added).</summary>
    private LinkedListNode<Entry>? LeastRecentlyUsed(bool idleOnly)
    {
        for (var node = _recency.Last; node is not null && node != _recency.First; node = node.Previous)
        {
            if (!idleOnly || node.Value.IsIdle) return node;
        }
        return null;
    }

    /// <summary>Drops the pool's reference of evicted sessions (disposing the idle ones now).</summary>
    private void ReleaseEvicted(List<Entry> evicted)
    {
        foreach (var entry in evicted)
        {
            if (TakePoolReference(entry)) entry.Session.Value.Release();
        }
    }

    /// <summary>
    /// Whether the caller is the one to drop an evicted entry's pool reference: only once, only
    /// after eviction, and only once the session exists (until then its creator does it).
    /// </summary>
    private bool TakePoolReference(Entry entry)
    {
        lock (_gate)
        {
            if (!entry.Evicted || entry.PoolReferenceDropped || !entry.Session.IsValueCreated) return false;
            entry.PoolReferenceDropped = true;
            return true;
        }
    }

    /// <summary>A pooled session slot; flags are guarded by the pool's gate.</summary>
    private sealed class Entry(string key, Lazy<OnnxSession> session)
    {
        public string Key { get; } = key;
        public Lazy<OnnxSession> Session { get; } = session;
        public bool Evicted { get; set; }
        public bool PoolReferenceDropped { get; set; }

        /// <summary>Created and not leased (only the pool's reference). One being created is about to be used: not idle.</summary>
        public bool IsIdle => Session.IsValueCreated && Session.Value.IsIdle;
    }

    private OnnxSession Create(string key, object source)
    {
        var device = _providers.Decide();
        using var options = _providers.CreateSessionOptions(device);
        var session = source is byte[] bytes ? new InferenceSession(bytes, options) : new InferenceSession((string)source, options);
        Interlocked.Increment(ref _created);
        return new OnnxSession(key, session, device, _options.DeviceId);
    }

    /// <summary>Drops the pool's references: idle sessions are disposed now, leased ones when their leases end.</summary>
    public void Dispose()
    {
        List<Entry> entries;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            entries = [.. _recency];
            foreach (var entry in entries) entry.Evicted = true;
            _entries.Clear();
            _recency.Clear();
        }
        ReleaseEvicted(entries);
    }
}
