using NeuralArt.Cli.Diagnostics;

namespace NeuralArt.Cli.Tests;

/// <summary>
/// A fact for Linux only (the probe loads Linux shared-object names). Elsewhere it is reported as
/// skipped with the reason, never as passed: <see cref="FactAttribute.Skip"/> is set when xunit
/// builds the attribute at discovery.
/// </summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only: the CUDA library probe loads Linux shared objects with dlopen.";
        }
    }
}

/// <summary>
/// A Linux fact about a machine where one of the CUDA libraries doctor probes does not load (CI,
/// any machine without CUDA). Where it loads, the test's outcome would depend on the rest of that
/// machine's CUDA installation, so it is reported as skipped, naming the library, instead of passing
/// without testing anything.
/// </summary>
public sealed class FactWithoutCudaLibraryAttribute : FactAttribute
{
    /// <param name="library">A name from <see cref="CudaLibraryProbe.Libraries"/>, such as <c>libcuda.so.1</c>.</param>
    public FactWithoutCudaLibraryAttribute(string library)
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only: the CUDA library probe loads Linux shared objects with dlopen.";
        }
        else if (CudaLibraryProbe.Probe(CudaLibraryProbe.Libraries.Single(l => l.Name == library)).Loaded)
        {
            Skip = $"{library} loads on this machine: this test is about a machine without it.";
        }
    }
}
