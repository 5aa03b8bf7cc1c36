using System.Runtime.InteropServices;

namespace NeuralArt.Cli.Diagnostics;

/// <summary>A native library ONNX Runtime's CUDA provider needs, and where it comes from.</summary>
/// <param name="Name">The soname the loader looks for.</param>
/// <param name="Role">What it is for.</param>
/// <param name="Required">False for libraries loaded only by some operators or cuDNN engines.</param>
/// <param name="Source">Where to get it: the driver, or the NVIDIA Python wheel / apt package.</param>
public sealed record CudaLibrary(string Name, string Role, bool Required, string Source);

/// <summary>The outcome of trying to load one library.</summary>
/// <param name="Library">The library tried.</param>
/// <param name="Loaded">Whether dlopen succeeded.</param>
/// <param name="Path">The file that was loaded (from /proc/self/maps), when it was.</param>
/// <param name="Error">The loader's message, when it failed.</param>
public sealed record CudaLibraryStatus(CudaLibrary Library, bool Loaded, string? Path, string? Error);

/// <summary>
/// Tries to load, one by one, the native libraries that ONNX Runtime 1.31's CUDA provider needs, so
/// that "the CUDA provider failed to load" becomes "libcudnn.so.9 is missing". The list was read off
/// <c>libonnxruntime_providers_cuda.so</c>: its DT_NEEDED entries (cudart, cuBLAS, cuBLASLt, cuRAND,
/// the driver) and the names it passes to dlopen (cuDNN 9, cuFFT, NVRTC). cuDNN 9 in turn loads its
/// sub-libraries. Linux only; the search is the loader's own (LD_LIBRARY_PATH, then ld.so.cache).
/// </summary>
public static class CudaLibraryProbe
{
    private const int RtldNow = 2;
    private const string Driver = "NVIDIA driver";

    public static IReadOnlyList<CudaLibrary> Libraries { get; } =
    [
        new("libcuda.so.1", "CUDA driver API", true, Driver),
        new("libcudart.so.13", "CUDA runtime", true, "nvidia-cuda-runtime wheel / cuda-cudart-13-0"),
        new("libcublasLt.so.13", "cuBLASLt (GEMM)", true, "nvidia-cublas wheel / libcublas-13-0"),
        new("libcublas.so.13", "cuBLAS", true, "nvidia-cublas wheel / libcublas-13-0"),
        new("libcurand.so.10", "cuRAND", true, "nvidia-curand wheel / libcurand-13-0"),
        new("libcudnn.so.9", "cuDNN (convolutions)", true, "nvidia-cudnn-cu13 wheel / libcudnn9-cuda-13"),
        new("libcudnn_graph.so.9", "cuDNN graph API", true, "nvidia-cudnn-cu13 wheel / libcudnn9-cuda-13"),
        new("libcudnn_ops.so.9", "cuDNN ops", true, "nvidia-cudnn-cu13 wheel / libcudnn9-cuda-13"),
        new("libcudnn_cnn.so.9", "cuDNN convolution kernels", true, "nvidia-cudnn-cu13 wheel / libcudnn9-cuda-13"),
        new("libcudnn_engines_precompiled.so.9", "cuDNN precompiled engines", true, "nvidia-cudnn-cu13 wheel / libcudnn9-cuda-13"),
        new("libcudnn_heuristic.so.9", "cuDNN heuristics", true, "nvidia-cudnn-cu13 wheel / libcudnn9-cuda-13"),
        new("libcudnn_engines_runtime_compiled.so.9", "cuDNN runtime-compiled engines", false, "nvidia-cudnn-cu13 wheel / libcudnn9-cuda-13"),
        new("libcufft.so.12", "cuFFT (FFT operators only)", false, "nvidia-cufft wheel / libcufft-13-0"),
        new("libnvrtc.so.13", "NVRTC (cuDNN runtime fusion)", false, "nvidia-cuda-nvrtc wheel / cuda-nvrtc-13-0"),
    ];

    /// <summary>Tries every library in <see cref="Libraries"/>.</summary>
    public static IReadOnlyList<CudaLibraryStatus> ProbeAll() => Libraries.Select(Probe).ToList();

    /// <summary>Loads <paramref name="library"/> with dlopen(RTLD_NOW), notes where it came from, and unloads it.</summary>
    public static CudaLibraryStatus Probe(CudaLibrary library)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new CudaLibraryStatus(library, false, null, "only probed on Linux");
        }
        // Bind dlerror and clear any stale message first: binding a P/Invoke on its first call goes
        // through dlsym, which would reset the error dlopen is about to leave.
        _ = NativeMethods.dlerror();
        var handle = NativeMethods.dlopen(library.Name, RtldNow);
        if (handle == IntPtr.Zero)
        {
            var error = Marshal.PtrToStringUTF8(NativeMethods.dlerror()) ?? "dlopen failed";
            return new CudaLibraryStatus(library, false, null, Shorten(error, library.Name));
        }
        try
        {
            return new CudaLibraryStatus(library, true, FindMappedPath(library.Name), null);
        }
        finally
        {
            _ = NativeMethods.dlclose(handle);
        }
    }

    /// <summary>The path of the mapped file whose name starts with <paramref name="soname"/>.</summary>
    private static string? FindMappedPath(string soname)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..];
                if (Path.GetFileName(path).StartsWith(soname, StringComparison.Ordinal)) return path;
            }
        }
        catch (IOException)
        {
            // /proc is not always mounted (some sandboxes); the load itself is what matters.
        }
        return null;
    }

    /// <summary>
    /// dlerror names the file it could not open first: the library itself ("not found") or one of
    /// its dependencies ("needs libX, which is not found"). Other failures are kept as they are.
    /// </summary>
    private static string Shorten(string error, string soname)
    {
        const string missingFile = "cannot open shared object file: No such file or directory";
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0 || !error.Contains(missingFile, StringComparison.Ordinal)) return error;
        var file = error[..colon];
        return file == soname ? "not found" : $"needs {file}, which is not found";
    }

    private static class NativeMethods
    {
        // libdl.so.2 exists on every glibc (on 2.34+ it forwards to libc), unlike a bare "libc".
        private const string LibDl = "libdl.so.2";

        [DllImport(LibDl, EntryPoint = "dlopen")]
        internal static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

        [DllImport(LibDl, EntryPoint = "dlerror")]
        internal static extern IntPtr dlerror();

        [DllImport(LibDl, EntryPoint = "dlclose")]
        internal static extern int dlclose(IntPtr handle);
    }
}
