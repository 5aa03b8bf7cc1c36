// NeuralArt on Azure: two storage accounts (the Functions host's own, private; the pipeline's data,
// with container-scoped roles), monitoring with diagnostic settings and alerts, a container registry,
// a virtual network, a Container Apps environment with a serverless GPU profile, the Event Grid route
// that turns inbox uploads into queue messages, and the Function App (natively on Container Apps,
// kind functionapp) running the pipeline image with a user-assigned managed identity.
// Deploy into an existing resource group:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json -p imageTag=<tag>
// See docs/deploy.md, "Deploy, end to end", for the whole sequence (the registry must hold the image before
// the app starts, hence deployFunctionApp=false on the first run).
targetScope = 'resourceGroup'

@description('Azure region for every resource. It must offer Container Apps serverless GPUs of the chosen type.')
param location string = resourceGroup().location

@description('Short prefix for resource names (lowercase letters and digits).')
@minLength(3)
@maxLength(11)
param baseName string = 'neuralart'

@description('Serverless GPU for the Function App: T4 (16 GB) or A100 (80 GB).')
@allowed([
  'T4'
  'A100'
])
param gpuType string = 'T4'

@description('Image repository in the registry that the Function App runs.')
param imageRepository string = 'neuralart-functions'

@description('Image tag to run (required, no default: a deployment names the build it ships, for example the git commit).')
@minLength(1)
@maxLength(128)
param imageTag string

@description('False on the first run: creates everything but the app, so the image can be built into the new registry first.')
param deployFunctionApp bool = true

@description('Where chunks run: queued (default: GPU worker job scaled from zero by the chunk queue; the Function App on a CPU profile) or inProcess (today\'s Function App on the GPU profile runs them itself: steady high load).')
@allowed([
  'queued'
  'inProcess'
])
param chunkExecutor string = 'queued'

@description('Most GPUs at once: executions of the worker job (queued) or replicas of the GPU Function App (inProcess). Jobs running at once follow it.')
@minValue(1)
@maxValue(50)
param maxGpus int = 2

@description('A worker execution exits after the chunk queue has been empty this long (hh:mm:ss): its cold start is paid once per burst.')
param workerIdleTimeout string = '00:01:00'

@description('Seconds a worker execution may run (the job\'s replica timeout); raised to fit at least one chunk deadline after a cold start.')
@minValue(600)
@maxValue(86400)
param workerReplicaTimeoutSeconds int = 3600

@description('Replicas kept running (see infra/README.md on scaling from zero).')
@minValue(0)
@maxValue(10)
param minReplicas int = 1

@description('Most replicas of the Function App on the CPU profile (chunkExecutor queued; inProcess uses maxGpus).')
@minValue(1)
@maxValue(10)
param maxReplicas int = 2

@description('ONNX Runtime execution provider: cuda fails loudly without a GPU; auto falls back to the CPU and logs why.')
@allowed([
  'auto'
  'cuda'
  'cpu'
])
param executionProvider string = 'cuda'

@description('CUDA device ordinal the engine uses.')
@minValue(0)
param cudaDeviceId int = 0

@description('Default backbone model (a manifest name under models/) for jobs that name none.')
param modelName string = 'resnet18'

@description('Seconds of work each RunChunk activity aims for before checkpointing.')
@minValue(5)
@maxValue(600)
param chunkTimeBudgetSeconds int = 60

@description('Largest input image accepted, in pixels (width x height); checked from the header before decoding.')
@minValue(65536)
param maxImagePixels int = 40000000

@description('Largest input image side accepted, in pixels.')
@minValue(256)
param maxImageSide int = 12000

@description('Largest encoded input image accepted, in bytes.')
@minValue(65536)
param maxImageBytes int = 52428800

// Caps on jobs (NeuralArt:Limits, JobLimitsOptions): a request may ask for less, never more.
@description('Inbox jobs that may wait for a slot; beyond it an inbox upload fails with reason "queue".')
@minValue(0)
param maxQueuedJobs int = 200

@description('Most convolution multiply-adds one job may cost (its plan predicts it); larger jobs get 413.')
param maxMultiplyAdds int = 200000000000000

@description('Most memory a job plan may predict for its worker, in bytes.')
param maxPeakMemoryBytes int = 8589934592

@description('Largest working image (width x height) after upscaling.')
param maxWorkingPixels int = 16777216

@description('Most iterations of one job over all its stages.')
param maxIterations int = 10000

@description('Most memory the style optimizer may hold, in MiB.')
param optimizerMemoryMb int = 2048

@description('Largest checkpoint a job may write, in bytes.')
param maxCheckpointBytes int = 536870912

@description('Most frames one job of a sequence engine (zoom) may make.')
@minValue(1)
param maxFrames int = 600

@description('How long a job may run once admitted (hh:mm:ss); past it the job fails and its checkpoints are deleted.')
param jobDeadline string = '06:00:00'

@description('Most cells one sweep may have (the product of its axes); larger sweeps get 413.')
@minValue(1)
param maxSweepCells int = 24

@description('Most convolution multiply-adds the cells of one sweep may cost together; larger sweeps get 413.')
param maxSweepMultiplyAdds int = 1000000000000000

@description('Optional object ID of who uploads: gets Storage Blob Data Contributor on the inbox, uploads and styles containers only.')
param uploaderPrincipalId string = ''

@description('Principal type of uploaderPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param uploaderPrincipalType string = 'User'

@description('Optional object ID of who reads results: gets Storage Blob Data Reader on the outputs container only.')
param readerPrincipalId string = ''

@description('Principal type of readerPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param readerPrincipalType string = 'User'

@description('Private networking: the environment joins a virtual network and the host storage account is reachable only through private endpoints (public network access off).')
param privateNetworking bool = true

@description('Address space of the virtual network (private networking only).')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Subnet of the Container Apps environment (at least /27; delegated to Microsoft.App/environments).')
param appsSubnetPrefix string = '10.40.0.0/23'

@description('Subnet of the private endpoints.')
param endpointsSubnetPrefix string = '10.40.2.0/24'

@description('Optional resource ID of an existing action group the alerts notify.')
param alertActionGroupId string = ''

@description('Failed jobs in 15 minutes above which the failed-jobs alert fires (0: any failed job).')
@minValue(0)
param failedJobsAlertThreshold int = 0

@description('Failed activity attempts plus poison messages in 15 minutes above which the retry alert fires.')
@minValue(0)
param retryAlertThreshold int = 5

@description('Storage replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Container registry SKU.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param registrySkuName string = 'Basic'

@description('Days of logs kept in Log Analytics.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Days before checkpoints left by cancelled or abandoned jobs are deleted.')
@minValue(1)
param checkpointRetentionDays int = 7

@description('Days before sources uploaded for HTTP jobs are deleted.')
@minValue(1)
param uploadRetentionDays int = 30

@description('Tags on every resource.')
param tags object = {
  application: 'neuralart'
}

// Serverless GPU profiles: the profile type and the one replica size each allows.
var gpuProfiles = {
  T4: {
    type: 'Consumption-GPU-NC8as-T4'
    cpu: 8
    memory: '56Gi'
  }
  A100: {
    type: 'Consumption-GPU-NC24-A100'
    cpu: 24
    memory: '220Gi'
  }
}
var gpu = gpuProfiles[gpuType]
var gpuProfileName = 'gpu'

// The queued executor: the Function App orchestrates on the environment's Consumption (CPU) profile
// and the GPU job runs the chunks; inProcess keeps the app on the GPU profile as before.
var queued = chunkExecutor == 'queued'
var cpuApp = {
  profile: 'Consumption'
  cpu: 2
  memory: '4Gi'
}

// Chunk queues (ChunkQueueOptions defaults) and their poison queues, created here: no identity holds
// the account-level right to create a queue (NeuralArt__Chunks__CreateQueues is false).
var chunksQueueName = 'chunks'
var chunkResultsQueueName = 'chunk-results'
var chunkQueueNames = [
  chunksQueueName
  '${chunksQueueName}-poison'
  chunkResultsQueueName
  '${chunkResultsQueueName}-poison'
]

// Replica timeout from the chunk budget: a cold start (ChunkQueueOptions.WorkerStartAllowance, 5 min)
// plus one chunk's result deadline (3 budgets) at the least. A worker takes no new chunk once less
// than one chunk deadline is left, so its last chunk ends before the platform stops it.
var chunkDeadlineSeconds = 3 * chunkTimeBudgetSeconds
var workerStartAllowanceSeconds = 300
var workerTimeoutSeconds = max(workerReplicaTimeoutSeconds, workerStartAllowanceSeconds + 2 * chunkDeadlineSeconds)
var workerStopSeconds = workerTimeoutSeconds - chunkDeadlineSeconds - workerStartAllowanceSeconds
var workerStopTakingAfter = '${padLeft(string(workerStopSeconds / 3600), 2, '0')}:${padLeft(string((workerStopSeconds % 3600) / 60), 2, '0')}:${padLeft(string(workerStopSeconds % 60), 2, '0')}'
// A failed execution is retried once; its chunk message comes back on the queue whatever happens.
var workerRetryLimit = 1
var workerPollingSeconds = 15

// The pipeline's blob containers (see ARCHITECTURE.md: the way a job flows).
var containerNames = [
  'inbox'
  'styles'
  'uploads'
  'outputs'
  'jobs'
]

// The inbox event queue (InboxEventFunction.QueueName) and the poison queue the queue trigger moves
// a message to after its last attempt (<queue>-poison, created here so the app needs no account role).
var inboxEventsQueueName = 'inbox-events'
var inboxQueueNames = [
  inboxEventsQueueName
  '${inboxEventsQueueName}-poison'
]

// Seconds an inbox event may wait in the queue for a replica (7 days, a storage queue message's
// default time to live; long enough for a replica that is down over a weekend to catch up).
var inboxEventTimeToLiveSeconds = 604800

// Host storage services reached through private endpoints.
var hostStorageServices = [
  'blob'
  'queue'
  'table'
]

// The Durable activities (ActivityNames) and the one a failed job always runs, for the alerts.
var activityNames = [
  'AdmitArtworkJob'
  'PrepareArtwork'
  'RunArtworkChunk'
  'FinalizeArtwork'
  'RecordArtworkFailure'
  'DispatchArtworkChunk'
  'DrawSweepSheet'
]
var failureActivityName = 'RecordArtworkFailure'

var token = uniqueString(resourceGroup().id, baseName)
var names = {
  // The data account keeps the name the single account had, so an existing deployment keeps its data.
  dataStorage: take(toLower('${baseName}${token}'), 24)
  hostStorage: take(toLower('${baseName}host${token}'), 24)
  registry: take(toLower('${baseName}cr${token}'), 50)
  workspace: '${baseName}-logs-${token}'
  appInsights: '${baseName}-ai-${token}'
  identity: '${baseName}-id-${token}'
  vnet: '${baseName}-vnet-${token}'
  environment: '${baseName}-env-${token}'
  inboxTopic: '${baseName}-inbox-${token}'
  alerts: '${baseName}-${token}'
  // Container app names: lowercase letters, digits and hyphens, at most 32 characters.
  functionApp: take('${baseName}-func-${token}', 32)
  workerJob: take('${baseName}-gpu-${token}', 32)
  workerIdentity: '${baseName}-worker-id-${token}'

}

// NeuralArt's own settings, in the options-binding form (Section__Key is read as Section:Key).
// NeuralArt:Pipeline binds PipelineOptions; NeuralArt:Engine binds the engine's OnnxRuntimeOptions
// (plus the default model); NeuralArt:Images binds the engine's ImageLimits, the one home of the
// input image limits (the door refuses oversized sources before reading them and the engine checks
// again when decoding); NeuralArt:Limits binds JobLimitsOptions: jobs running at once are capped at
// the replicas, each of which runs one activity at a time on its one GPU (host.json), so jobs beyond
// that wait in the admission queue in arrival order instead of sharing GPUs chunk by chunk.
var neuralArtSettings = {
  NeuralArt__Engine__Model: modelName
  NeuralArt__Engine__ExecutionProvider: executionProvider
  NeuralArt__Engine__DeviceId: cudaDeviceId
  NeuralArt__Pipeline__ChunkTimeBudgetSeconds: chunkTimeBudgetSeconds
  NeuralArt__Images__MaxBytes: maxImageBytes
  NeuralArt__Limits__MaxQueuedJobs: maxQueuedJobs
  NeuralArt__Limits__MaxMultiplyAdds: maxMultiplyAdds
  NeuralArt__Limits__MaxPeakMemoryBytes: maxPeakMemoryBytes
  NeuralArt__Limits__MaxWorkingPixels: maxWorkingPixels
  NeuralArt__Limits__MaxIterations: maxIterations
  NeuralArt__Limits__OptimizerMemoryMb: optimizerMemoryMb
  NeuralArt__Limits__MaxCheckpointBytes: maxCheckpointBytes
  NeuralArt__Limits__MaxFrames: maxFrames
  NeuralArt__Limits__JobDeadline: jobDeadline
  NeuralArt__Images__MaxSide: maxImageSide
  NeuralArt__Images__MaxPixels: maxImagePixels
  NeuralArt__Limits__MaxRunningJobs: maxGpus
  NeuralArt__Chunks__Executor: chunkExecutor
  NeuralArt__Chunks__CreateQueues: false
  NeuralArt__Limits__MaxSweepCells: maxSweepCells
  NeuralArt__Limits__MaxSweepMultiplyAdds: maxSweepMultiplyAdds
}

// The app's settings: queued, it runs no chunk and has no GPU, so its engines (Prepare, Finalize) use the CPU.
var appNeuralArtSettings = union(neuralArtSettings, queued ? { NeuralArt__Engine__ExecutionProvider: 'cpu' } : {})

// The worker job's settings: the app's, plus when to stop (from the replica timeout and the chunk budget).
var workerNeuralArtSettings = union(neuralArtSettings, {
  NeuralArt__Chunks__WorkerIdleTimeout: workerIdleTimeout
  NeuralArt__Chunks__WorkerStopTakingAfter: workerStopTakingAfter
})


module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    retentionInDays: logRetentionDays
    tags: tags
  }
}

module network 'modules/network.bicep' = if (privateNetworking) {
  name: 'network'
  params: {
    location: location
    name: names.vnet
    addressPrefix: vnetAddressPrefix
    appsSubnetPrefix: appsSubnetPrefix
    endpointsSubnetPrefix: endpointsSubnetPrefix
    storageServices: hostStorageServices
    tags: tags
  }
}

module environment 'modules/containerAppsEnvironment.bicep' = {
  name: 'containerAppsEnvironment'
  params: {
    location: location
    name: names.environment
    gpuProfileName: gpuProfileName
    gpuProfileType: gpu.type
    infrastructureSubnetId: privateNetworking ? network.?outputs.appsSubnetId ?? '' : ''
    tags: tags
  }
}

// The app's URL, known before the app exists (ingress FQDN = <app>.<environment default domain>):
// the data account's CORS rule allows it for browser uploads by SAS.
var functionAppOrigin = 'https://${names.functionApp}.${environment.outputs.defaultDomain}'

module hostStorage 'modules/hostStorage.bicep' = {
  name: 'hostStorage'
  params: {
    location: location
    name: names.hostStorage
    skuName: storageSkuName
    privateNetworking: privateNetworking
    storageServices: hostStorageServices
    endpointsSubnetId: privateNetworking ? network.?outputs.endpointsSubnetId ?? '' : ''
    privateDnsZoneIds: privateNetworking ? network.?outputs.zoneIds ?? [] : []
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.dataStorage
    skuName: storageSkuName
    containerNames: containerNames
    // Always: the app's chunk-results trigger listens in either shape, and empty queues cost nothing.
    queueNames: concat(inboxQueueNames, chunkQueueNames)
    corsAllowedOrigins: [
      functionAppOrigin
    ]
    deleteRetentionDays: 7
    checkpointRetentionDays: checkpointRetentionDays
    uploadRetentionDays: uploadRetentionDays
    tags: tags
  }
}

module inboxEvents 'modules/inboxEvents.bicep' = {
  name: 'inboxEvents'
  params: {
    location: location
    storageAccountName: storage.outputs.name
    topicName: names.inboxTopic
    queueName: inboxEventsQueueName
    containerName: 'inbox'
    queueMessageTimeToLiveSeconds: inboxEventTimeToLiveSeconds
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    location: location
    name: names.registry
    skuName: registrySkuName
    tags: tags
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    name: names.identity
    tags: tags
  }
}

module workerIdentity 'modules/identity.bicep' = if (queued) {
  name: 'workerIdentity'
  params: {
    location: location
    name: names.workerIdentity
    tags: tags
  }
}

module hostRoles 'modules/hostRoles.bicep' = {
  name: 'hostRoles'
  params: {
    hostStorageAccountName: hostStorage.outputs.name
    registryName: registry.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    appPrincipalId: identity.outputs.principalId
    workerPrincipalId: workerIdentity.?outputs.principalId ?? ''
  }
}

module dataRoles 'modules/dataRoles.bicep' = {
  name: 'dataRoles'
  params: {
    storageAccountName: storage.outputs.name
    appPrincipalId: identity.outputs.principalId
    appQueueNames: inboxQueueNames
    workerPrincipalId: workerIdentity.?outputs.principalId ?? ''
    chunksQueueName: chunksQueueName
    chunkResultsQueueName: chunkResultsQueueName
    uploaderPrincipalId: uploaderPrincipalId
    uploaderPrincipalType: uploaderPrincipalType
    readerPrincipalId: readerPrincipalId
    readerPrincipalType: readerPrincipalType
  }
}

module functionApp 'modules/functionApp.bicep' = if (deployFunctionApp) {
  name: 'functionApp'
  // The identity must hold AcrPull and the storage roles before the first container starts.
  dependsOn: [
    hostRoles
    dataRoles
  ]
  params: {
    location: location
    name: names.functionApp
    managedEnvironmentId: environment.outputs.id
    workloadProfileName: queued ? cpuApp.profile : gpuProfileName
    cpu: queued ? cpuApp.cpu : gpu.cpu
    memory: queued ? cpuApp.memory : gpu.memory
    registryLoginServer: registry.outputs.loginServer
    imageName: '${imageRepository}:${imageTag}'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageAccountName: hostStorage.outputs.name
    dataBlobEndpoint: storage.outputs.blobEndpoint
    dataQueueEndpoint: storage.outputs.queueEndpoint
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    minReplicas: minReplicas
    maxReplicas: queued ? maxReplicas : maxGpus
    containerPort: 8080
    neuralArtSettings: appNeuralArtSettings
    tags: tags
  }
}

module gpuWorkers 'modules/gpuWorkerJob.bicep' = if (queued && deployFunctionApp) {
  name: 'gpuWorkers'
  // The workers' identity must hold AcrPull and its queue and container roles before an execution starts.
  dependsOn: [
    hostRoles
    dataRoles
  ]
  params: {
    location: location
    name: names.workerJob
    managedEnvironmentId: environment.outputs.id
    workloadProfileName: gpuProfileName
    cpu: gpu.cpu
    memory: gpu.memory
    registryLoginServer: registry.outputs.loginServer
    imageName: '${imageRepository}:${imageTag}'
    identityId: workerIdentity.?outputs.id ?? ''
    identityClientId: workerIdentity.?outputs.clientId ?? ''
    storageAccountName: storage.outputs.name
    chunksQueueName: chunksQueueName
    executionProvider: executionProvider
    maxExecutions: maxGpus
    replicaTimeoutSeconds: workerTimeoutSeconds
    replicaRetryLimit: workerRetryLimit
    pollingIntervalSeconds: workerPollingSeconds
    neuralArtSettings: workerNeuralArtSettings
    tags: tags
  }
}

module diagnostics 'modules/diagnostics.bicep' = {
  name: 'diagnostics'
  params: {
    workspaceId: monitoring.outputs.workspaceId
    storageAccountNames: [
      hostStorage.outputs.name
      storage.outputs.name
    ]
    environmentName: environment.outputs.name
    functionAppName: functionApp.?outputs.name ?? ''
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    appInsightsId: monitoring.outputs.appInsightsId
    namePrefix: names.alerts
    actionGroupId: alertActionGroupId
    failureActivityName: failureActivityName
    activityNames: activityNames
    failedJobsThreshold: failedJobsAlertThreshold
    retryThreshold: retryAlertThreshold
    tags: tags
  }
}

@description('Base URL of the Function App (empty when deployFunctionApp is false).')
output functionAppUrl string = deployFunctionApp ? 'https://${functionApp.?outputs.fqdn ?? ''}' : ''

@description('Function App (container app) name (empty when deployFunctionApp is false).')
output functionAppName string = functionApp.?outputs.name ?? ''

@description('Data storage account: inbox, styles, uploads, outputs, jobs.')
output storageAccountName string = storage.outputs.name

@description('Host storage account (AzureWebJobsStorage); only the app reaches it.')
output hostStorageAccountName string = hostStorage.outputs.name

@description('Registry name, for az acr build.')
output registryName string = registry.outputs.name

@description('Registry login server.')
output registryLoginServer string = registry.outputs.loginServer

@description('GPU worker job name (empty unless chunkExecutor is queued).')
output workerJobName string = gpuWorkers.?outputs.name ?? ''

@description('Client ID of the app\'s managed identity.')
output identityClientId string = identity.outputs.clientId
