namespace NeuralArt.Engine.Runtime;

/// <summary>
/// How many physical cores this process may use: the thread count for ONNX Runtime's intra-op
/// pool when none is configured. ONNX Runtime's own default is meant to be one thread per physical
/// core, but on the 2-core VMs we run CI on it chose one thread (a 1024x809 dream step took 720 ms
/// instead of 430 ms with two), so the count is worked out here and always passed explicitly.
/// </summary>
public static class CpuTopology
{
    /// <summary>Where Linux describes each logical CPU's core.</summary>
    public const string LinuxCpuRoot = "/sys/devices/system/cpu";

    /// <summary>
    /// Distinct (package, core) pairs among the logical CPUs, so SMT siblings count once, capped by
    /// <see cref="Environment.ProcessorCount"/> (which honours the process's affinity and a
    /// container's CPU quota). Where the topology cannot be read, the processor count.
    /// </summary>
    public static int PhysicalCoreCount() => PhysicalCoreCount(LinuxCpuRoot, Environment.ProcessorCount);

    /// <summary>The same, reading the topology under <paramref name="cpuRoot"/> (for tests).</summary>
    public static int PhysicalCoreCount(string cpuRoot, int processorCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processorCount);
        var cores = CountCores(cpuRoot);
        return cores is > 0 ? Math.Min(cores.Value, processorCount) : processorCount;
    }

    private static int? CountCores(string cpuRoot)
    {
        try
        {
            if (!Directory.Exists(cpuRoot)) return null;
            var seen = new HashSet<(string Package, string Core)>();
            foreach (var cpu in Directory.EnumerateDirectories(cpuRoot, "cpu*"))
            {
                var name = Path.GetFileName(cpu);
                if (name.Length <= "cpu".Length || !name.AsSpan("cpu".Length).ToString().All(char.IsAsciiDigit)) continue;
                var topology = Path.Combine(cpu, "topology");
                var core = ReadTrimmed(Path.Combine(topology, "core_id"));
                if (core is null) continue;
                seen.Add((ReadTrimmed(Path.Combine(topology, "physical_package_id")) ?? "0", core));
            }
            return seen.Count;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadTrimmed(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;
}
