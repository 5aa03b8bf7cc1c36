namespace NeuralArt.Engine.Common;

/// <summary>
/// A tiny random generator whose whole state is one <see cref="ulong"/>, so it can be saved in a
/// checkpoint and resumed exactly (System.Random's state cannot be). SplitMix64 (Steele, Lea and
/// Flood, 2014): fast, and plenty for jitter offsets.
/// </summary>
internal struct SplitMix64
{
    private const ulong Increment = 0x9E3779B97F4A7C15UL;
    private const ulong Mix1 = 0xBF58476D1CE4E5B9UL;
    private const ulong Mix2 = 0x94D049BB133111EBUL;

    public SplitMix64(ulong state) => State = state;

    public ulong State { get; private set; }

    public ulong NextUInt64()
    {
        var z = State += Increment;
        z = (z ^ (z >> 30)) * Mix1;
        z = (z ^ (z >> 27)) * Mix2;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>) (Lemire's multiply-shift).</summary>
    public int Next(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive) return minInclusive;
        var range = (ulong)((long)maxExclusive - minInclusive);
        var high = Math.BigMul(NextUInt64(), range, out _);
        return (int)(minInclusive + (long)high);
    }
}
