namespace FileSync.Edge.Benchmarks.Generation;

/// <summary>
/// SplitMix64: a tiny seeded generator whose output is fixed by its definition, so the generated
/// workspace is byte-for-byte the same on every machine and .NET version (unlike seeded
/// <see cref="Random"/>, whose algorithm is not a documented contract).
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>) (modulo bias is negligible for our ranges).</summary>
    public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>Log-uniform integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int NextLogUniform(int min, int max)
    {
        var value = Math.Exp(Math.Log(min) + NextDouble() * (Math.Log(max) - Math.Log(min)));
        return Math.Clamp((int)Math.Round(value), min, max);
    }

    /// <summary><paramref name="count"/> distinct indexes from [0, <paramref name="range"/>), in random order.</summary>
    public int[] Sample(int range, int count)
    {
        if (count > range)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count),
                $"cannot pick {count} distinct items out of {range}"
            );
        }
        var all = Enumerable.Range(0, range).ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = i + Next(range - i);
            (all[i], all[j]) = (all[j], all[i]);
        }
        return all[..count];
    }
}
