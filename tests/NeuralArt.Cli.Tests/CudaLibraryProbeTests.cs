using NeuralArt.Cli.Diagnostics;

namespace NeuralArt.Cli.Tests;

/// <summary>The dlopen probe behind <c>neuralart doctor</c>'s library table, on libraries every Linux has or lacks.</summary>
public class CudaLibraryProbeTests
{
    [LinuxFact]
    public void A_library_that_exists_loads_and_reports_the_file_it_came_from()
    {
        var status = CudaLibraryProbe.Probe(new CudaLibrary("libm.so.6", "maths", true, "glibc"));

        Assert.True(status.Loaded, status.Error);
        Assert.Null(status.Error);
        Assert.NotNull(status.Path);
        Assert.StartsWith("libm", Path.GetFileName(status.Path));
        Assert.True(File.Exists(status.Path), status.Path);
    }

    [LinuxFact]
    public void A_missing_library_is_reported_as_not_found()
    {
        var status = CudaLibraryProbe.Probe(new CudaLibrary("libneuralart-no-such-library.so.1", "none", true, "nowhere"));

        Assert.False(status.Loaded);
        Assert.Null(status.Path);
        Assert.Equal("not found", status.Error);
    }

    [FactWithoutCudaLibrary("libcublasLt.so.13")]
    public void A_library_whose_dependency_is_missing_names_that_dependency()
    {
        // ONNX Runtime's CUDA provider ships with the app; it links cuBLASLt. Where cuBLASLt is not
        // installed (any machine without CUDA 13, such as CI), loading the provider must fail with
        // the dependency's name, which is what doctor shows to say what to install.
        var provider = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime_providers_cuda.so");
        Assert.True(File.Exists(provider), $"{provider} is missing from the build output");

        var status = CudaLibraryProbe.Probe(new CudaLibrary(provider, "CUDA provider", true, "the app"));

        Assert.False(status.Loaded);
        Assert.Contains("libcublasLt.so.13", status.Error);
    }

    [Fact]
    public void The_list_covers_what_the_cuda_provider_links_and_loads()
    {
        var names = CudaLibraryProbe.Libraries.Select(l => l.Name).ToHashSet();

        // DT_NEEDED of libonnxruntime_providers_cuda.so 1.31 (see infra/README.md) and its dlopen names.
        string[] expected =
        [
            "libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10",
            "libcudnn.so.9", "libcufft.so.12", "libnvrtc.so.13",
        ];
        Assert.All(expected, name => Assert.Contains(name, names));
        Assert.All(CudaLibraryProbe.Libraries, l => Assert.False(string.IsNullOrWhiteSpace(l.Source)));
    }
}
