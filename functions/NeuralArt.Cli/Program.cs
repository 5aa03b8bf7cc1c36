using NeuralArt.Cli.Commands;
using NeuralArt.Cli.Infrastructure;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("neuralart");
    config.SetExceptionHandler(ErrorReporter.Report);
    // Unknown options are errors, not silently ignored (a typo must not run a different job).
    config.UseStrictParsing();
    config.AddCommand<DreamCommand>("dream")
        .WithDescription("Make a DeepDream of an image.")
        .WithExample("dream", "samples/content/cat_chelsea.png", "-o", "out/cat_dream.png");
    config.AddCommand<ZoomCommand>("zoom")
        .WithDescription("Zoom into a dream: each frame a DeepDream of the previous one zoomed in, made into a GIF and an MP4.")
        .WithExample("zoom", "samples/content/cat_chelsea.png", "--frames", "60", "-o", "out/zoom/");
    config.AddCommand<VideoCommand>("video")
        .WithDescription("Style or dream a video clip without flicker (optical flow between frames); writes the frames, a GIF preview and an MP4 with the clip's sound.")
        .WithExample("video", "samples/video/cup_3s.mp4", "--style", "samples/style/van_gogh_starry_night.jpg", "-o", "out/cup/")
        .WithExample("video", "samples/video/cup_3s.mp4", "--effect", "dream", "-o", "out/cup-dream/");
    config.AddCommand<StyleCommand>("style")
        .WithDescription("Transfer the style of one or more paintings to an image.")
        .WithExample("style", "samples/content/cat_chelsea.png", "samples/style/van_gogh_starry_night.jpg", "-o", "out/cat_starry.png");
    config.AddCommand<GradientCommand>("gradient")
        .WithDescription("Write the dream objective's gradient for an image (exact size) as a NumPy .npy file.")
        .WithExample("gradient", "samples/content/cat_chelsea.png", "--layers", "layer3", "-o", "grad.npy");
    config.AddBranch("models", models =>
    {
        models.SetDescription("List, compile and check backbone models.");
        models.AddCommand<ModelsListCommand>("list").WithDescription("List the models, their taps and the compiled graphs.");
        models.AddCommand<ModelsCompileCommand>("compile").WithDescription("Compile the graphs the dream and bench commands use.");
        models.AddCommand<ModelsCheckCommand>("check").WithDescription("Compare a model's compiled gradient with finite differences.");
        models.AddCommand<ModelsImportCommand>("import")
            .WithDescription("Import a TF.js layers model (a Keras CNN) as an ONNX backbone, with a manifest skeleton.")
            .WithExample("import", "path/to/model.json", "--name", "my_cnn");
    });
    config.AddCommand<BenchCommand>("bench").WithDescription("Time gradient steps, forward passes and a DeepDream.");
    config.AddCommand<ServeCommand>("serve")
        .WithDescription("Run the pipeline's local host: Durable orchestrations on Azurite (or any storage), the HTTP API on 127.0.0.1, the inbox watcher.");
    config.AddCommand<WorkerCommand>("worker")
        .WithDescription("Run queued chunks: take chunk messages from the storage queue, run them, report the results; exits when the queue stays empty.")
        .WithExample("worker", "--idle-seconds", "120");
    config.AddCommand<SubmitCommand>("submit")
        .WithDescription("Upload an image, start a job over HTTP, follow its progress and download the result.")
        .WithExample("submit", "samples/content/cat_chelsea.png", "-o", "out/")
        .WithExample("submit", "samples/content/cat_chelsea.png", "--kind", "style", "--input", "style=samples/style/van_gogh_starry_night.jpg", "-o", "out/");
    config.AddCommand<PipelineBenchCommand>("bench-pipeline")
        .WithDescription("Time the same DeepDream directly and through the local host (chunks, checkpoints, Azurite) and print the ratio.");
    config.AddCommand<DoctorCommand>("doctor").WithDescription("Show what this machine can run (providers, CUDA libraries, a smoke step).");
    config.AddCommand<SweepCommand>("sweep")
        .WithDescription("Start a sweep over HTTP (a grid of jobs over one or more parameters), follow every cell and download the contact sheet and the results.")
        .WithExample("sweep", "samples/content/cat_chelsea.png", "--kind", "style", "--input", "style=samples/style/van_gogh_starry_night.jpg", "--axis", "styleWeight=1e4,1e6", "--axis", "seed=1,2", "-o", "out/sweep/");
});
return await app.RunAsync(args);
