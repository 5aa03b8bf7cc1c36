using NeuralArt.Engine.Runtime;

namespace NeuralArt.Engine.Tests.Runtime;

public sealed class CpuTopologyTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "neuralart-cpu-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private void AddCpu(int index, int package, int core)
    {
        var topology = Directory.CreateDirectory(Path.Combine(_root, $"cpu{index}", "topology")).FullName;
        File.WriteAllText(Path.Combine(topology, "physical_package_id"), $"{package}\n");
        File.WriteAllText(Path.Combine(topology, "core_id"), $"{core}\n");
    }

    [Fact]
    public void SmtSiblingsCountOnceAndPackagesApart()
    {
        // Two packages, two cores each, two hardware threads per core; core ids repeat per package.
        var cpu = 0;
        foreach (var package in new[] { 0, 1 })
            foreach (var core in new[] { 0, 1 })
                for (var thread = 0; thread < 2; thread++) AddCpu(cpu++, package, core);
        Directory.CreateDirectory(Path.Combine(_root, "cpufreq"));
        Directory.CreateDirectory(Path.Combine(_root, "cpuidle"));

        Assert.Equal(4, CpuTopology.PhysicalCoreCount(_root, processorCount: 8));
        // A container quota or affinity mask below the core count wins.
        Assert.Equal(2, CpuTopology.PhysicalCoreCount(_root, processorCount: 2));
    }

    [Fact]
    public void UnreadableTopologyFallsBackToTheProcessorCount()
    {
        Assert.Equal(3, CpuTopology.PhysicalCoreCount(Path.Combine(_root, "missing"), processorCount: 3));
        Directory.CreateDirectory(Path.Combine(_root, "cpu0")); // no topology files
        Assert.Equal(3, CpuTopology.PhysicalCoreCount(_root, processorCount: 3));
    }

    [Fact]
    public void ThisMachineHasAtLeastOneCoreAndNoMoreThanItsProcessors()
    {
        var cores = CpuTopology.PhysicalCoreCount();
        Assert.InRange(cores, 1, Environment.ProcessorCount);
    }
}
