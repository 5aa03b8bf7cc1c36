using NeuralArt.Cli.Commands;

namespace NeuralArt.Cli.Tests;

/// <summary>
/// <c>neuralart doctor</c> end to end on this machine (the repository's models folder, the CPU):
/// what it prints and the exit codes scripts rely on.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class DoctorCommandTests
{
    private const int SmallSide = 64;

    [Fact]
    public async Task On_the_cpu_the_smoke_step_passes_and_the_report_names_providers_and_libraries()
    {
        var (code, output) = await RunAsync("--provider", "cpu", "--size", SmallSide.ToString());

        Assert.Equal(0, code);
        Assert.Contains("CPUExecutionProvider", output);
        Assert.Contains("libcudart.so.13", output);
        Assert.Contains("resnet18.json", output);
        Assert.Contains("passed", output);
        Assert.Contains($"{SmallSide}x{SmallSide}", output);
    }

    [FactWithoutCudaLibrary("libcuda.so.1")]
    public async Task Require_cuda_exits_with_2_when_the_driver_is_missing()
    {
        var (code, output) = await RunAsync("--provider", "auto", "--size", SmallSide.ToString(), "--require-cuda");

        Assert.Equal(DoctorCommand.ExitCudaUnavailable, code);
        Assert.Contains("CUDA is not usable here", output);
        // auto still proves the CPU path a job would fall back to.
        Assert.Contains("passed", output);
    }

    [Fact]
    public async Task A_missing_models_folder_fails_the_smoke_step_with_exit_1()
    {
        var missing = Path.Combine(Path.GetTempPath(), "neuralart-no-models-" + Guid.NewGuid().ToString("N"));

        var (code, output) = await RunAsync("--provider", "cpu", "--models", missing);

        Assert.Equal(DoctorCommand.ExitSmokeFailed, code);
        Assert.Contains("does not exist", output);
        Assert.Contains("no models folder", output);
    }

    [Theory]
    [InlineData("--size", "8")]
    [InlineData("--device-id", "-1")]
    [InlineData("--provider", "tpu")]
    public async Task Bad_options_are_refused_before_anything_runs(string option, string value)
    {
        var (code, output) = await RunAsync(option, value);

        Assert.NotEqual(0, code);
        Assert.DoesNotContain("Smoke run", output);
    }

    private static Task<(int Code, string Output)> RunAsync(params string[] args) => CommandRunner.RunAsync<DoctorCommand>(args);
}
