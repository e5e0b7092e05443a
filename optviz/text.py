"""Every user-facing string of the app, in English and Simplified Chinese.

``t(key, lang, **values)`` looks a string up and fills its ``{placeholders}``. Pages and figure
builders take all their words from here, so a new language is one more column.
"""

from __future__ import annotations

from optviz.registry import OPTIMIZERS

LANGS = ("en", "zh")
# Shown on the language switch and written into links (?lang=中文), so never translated.
LANG_NAMES = {"en": "English", "zh": "中文"}

CATALOGUE: dict[str, tuple[str, str]] = {
    # app and home
    "app.title": ("optviz: see how networks learn", "optviz：看见神经网络如何学习"),
    "app.language": ("Language", "语言"),
    "home.nav": ("Home", "首页"),
    "home.intro": (
        "Interactive lessons on how neural networks are optimised. Every picture is computed live "
        "from the formulas on the page; change a slider and watch what happens. Every page keeps "
        "its settings in the link, so a teacher can share exactly what is on the screen.",
        "关于神经网络如何被优化的交互式课程。每张图都由页面上的公式实时计算；拖动滑块，"
        "看看会发生什么。每个页面都把设置保存在链接里，老师可以把屏幕上的内容原样分享给学生。",
    ),
    "home.pages": ("Lessons, in a suggested order", "课程（建议顺序）"),
    "home.order": (
        "Each page is one lesson of about ten minutes, and each opens with a teacher's script in its "
        "sidebar. In this order every lesson builds on the one before: how an optimizer moves, why "
        "the starting weights matter, what a mini-batch costs and how noisy it is, then all of it "
        "together on real handwritten digits.",
        "每个页面是一节约十分钟的课，侧边栏里都有一份教师讲稿。按这个顺序，每节课都建立在上一节之上："
        "优化器如何移动，初始权重为何重要，小批量的代价与噪声，最后在真实手写数字上把这一切合在一起。",
    ),
    "home.step": ("Lesson {n}", "第 {n} 课"),
    "home.share": (
        "Tip: the address bar always holds the current settings. Copy it to share a configuration.",
        "提示：地址栏始终保存当前设置，复制它即可分享同样的配置。",
    ),
    "nav.trajectories": ("Optimizer trajectories", "优化器轨迹"),
    "nav.trajectories.what": (
        "SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam and AdamW race on x²/20 + y², saddles and "
        "classic test functions; the Hessian tells minima from saddles and shows the way out.",
        "SGD、Momentum、Nesterov、AdaGrad、RMSProp、Adam 与 AdamW 在 x²/20 + y²、鞍面和经典测试函数上"
        "比赛；黑塞矩阵区分极小值与鞍点，并指出逃离鞍点的方向。",
    ),
    "nav.initialisation": ("Weight initialisation", "权重初始化"),
    "nav.batch": ("Batch size", "批量大小"),
    "nav.batch.what": (
        "What a batch size costs and buys, measured on this server: time per update and per epoch, "
        "gradient noise, one loss surface per batch, accuracy after equal epochs, sharp and flat minima.",
        "批量大小的代价与收益，在本服务器上实测：每次更新与每轮的时间、梯度噪声、每个批量各自的损失曲面、"
        "相同轮数后的准确率，以及尖锐与平坦的极小值。",
    ),
    "nav.mnist": ("Live MNIST training", "MNIST 实时训练"),
    "nav.mnist.what": (
        "Up to six networks learn handwritten digits side by side on the same mini-batches: "
        "optimizers, initialisations, batch norm, weight decay, dropout and schedules race live.",
        "最多六个网络在相同的小批量上并排学习手写数字：优化器、初始化、批归一化、权重衰减、"
        "Dropout 与学习率调度实时比赛。",
    ),
    "nav.initialisation.what": (
        "Random inputs through a deep network: how std 1, std 0.01, Xavier and He shape every "
        "layer's activations and gradients, with sigmoid, tanh and ReLU, with and without batch norm.",
        "随机输入穿过深层网络：标准差 1、0.01、Xavier 与 He 初始化如何塑造每层的激活值与梯度；"
        "比较 sigmoid、tanh、ReLU，以及有无批归一化。",
    ),
    # initialisation page
    "init.title": ("Weight initialisation", "权重初始化"),
    "init.caption": (
        "1000 random inputs pass through a stack of layers. Top row: what each layer outputs. "
        "Bottom row: the gradient ∂L/∂z that reaches each layer on the way back.",
        "1000 个随机输入穿过多层网络。上排：每层的输出；下排：反向传播时到达每层的梯度 ∂L/∂z。",
    ),
    "init.init": ("Initialisation", "初始化"),
    "init.custom_std": ("Custom standard deviation", "自定义标准差"),
    "init.activation": ("Activation", "激活函数"),
    "init.layers": ("Layers", "层数"),
    "init.units": ("Units per layer", "每层单元数"),
    "init.batchnorm": ("Batch normalisation", "批归一化"),
    "init.compare": ("Compare with a second set-up", "与第二种设置对比"),
    "init.second": ("Set-up B", "设置 B"),
    "init.side1": ("A", "A"),
    "init.side2": ("B", "B"),
    "init.preset_side": ("The buttons below set", "下列按钮设置"),
    "init.overflow": (
        "The values overflowed (they grew past what float32 can hold) with this set-up, so there "
        "is nothing meaningful to draw. Choose a smaller standard deviation or fewer layers.",
        "在这个设置下数值溢出（超出 float32 的范围），没有可画的内容。请选择更小的标准差或更少的层。",
    ),
    "init.table.layer": ("Layer", "层"),
    "init.table.mean": ("Mean", "均值"),
    "init.table.std": ("Std", "标准差"),
    "init.table.saturated": ("Saturated", "饱和比例"),
    "init.table.dead": ("Dead (= 0)", "死亡（= 0）"),
    "init.table.grad_std": ("Std of ∂L/∂z", "∂L/∂z 标准差"),
    "init.preset.sig1": ("Sigmoid, std 1", "Sigmoid，标准差 1"),
    "init.preset.sig001": ("Sigmoid, std 0.01", "Sigmoid，标准差 0.01"),
    "init.preset.sigxavier": ("Sigmoid, Xavier", "Sigmoid，Xavier"),
    "init.preset.relu001": ("ReLU, std 0.01", "ReLU，标准差 0.01"),
    "init.preset.reluxavier": ("ReLU, Xavier", "ReLU，Xavier"),
    "init.preset.reluhe": ("ReLU, He", "ReLU，He"),
    "init.explain": (
        "A unit adds up n inputs, each times a weight: Var(z) = n·Var(w)·Var(x). Keeping Var(z) = "
        "Var(x) from layer to layer needs Var(w) = 1/n (Xavier/Glorot, for activations symmetric "
        "around 0 such as tanh). ReLU zeroes half of its inputs, which halves the variance, so He "
        "doubles it back: Var(w) = 2/n. Too large a scale saturates sigmoid and tanh (outputs pile "
        "up at the bounds, the gradient σ′(z) ≈ 0 stops); too small a scale makes every unit output "
        "the same value, and a hundred identical units are worth one. Batch normalisation "
        "re-standardises z in every layer, which makes the starting scale matter far less.",
        "一个单元把 n 个输入各乘权重后相加：Var(z) = n·Var(w)·Var(x)。要让 Var(z) 逐层保持等于 Var(x)，"
        "需要 Var(w) = 1/n（Xavier/Glorot，适用于 tanh 这类关于 0 对称的激活函数）。ReLU 把一半输入置零，"
        "方差减半，所以 He 初始化把它加倍回来：Var(w) = 2/n。尺度太大时 sigmoid 和 tanh 饱和（输出堆积在"
        "边界，梯度 σ′(z) ≈ 0 无法传递）；尺度太小时所有单元输出相同，一百个相同的单元只顶一个。"
        "批归一化在每层重新标准化 z，使初始尺度的影响小得多。",
    ),
    # common widgets
    "common.preset": ("Presets", "预设"),
    "common.seed": ("Seed", "随机种子"),
    "lesson.title": ("Lesson script for the teacher", "教师用课堂脚本"),
    "lesson.traj": (
        "1. Press **Book figure**. Ask the class which optimizer will reach the star first, and let "
        "everyone commit to a guess before you press ▶ Play.\n"
        "2. Point at SGD's zigzag and ask why it bounces along y but crawls along x. The bowl is 20 "
        "times more curved along y, so a step that suits one direction is wrong for the other.\n"
        "3. Open SGD's settings and set its learning rate to 1.5. Ask what will happen now, then show "
        "the red box: it diverged at step 6. Above 2 ÷ (largest curvature) = 1, gradient descent on "
        "this bowl flies off.\n"
        "4. Press **Saddle escape** and ask which optimizers will leave the saddle. Play, then open "
        "the **Curvature** tab at the start to show the downhill direction.\n"
        "5. Press **Ill-conditioned bowl** and move κ while the class watches the zigzag change.",
        "1. 按 **书中图 6-8**。请全班预测哪个优化器最先到达星号，每人说出答案后再按 ▶ 播放。\n"
        "2. 指着 SGD 的锯齿路径提问：为什么沿 y 来回跳，沿 x 却走得很慢？这个碗沿 y 的曲率是沿 x 的 "
        "20 倍，适合一个方向的步长对另一个方向就不合适。\n"
        "3. 打开 SGD 的设置，把学习率改成 1.5。先问大家会发生什么，再展示红色提示框：它在第 6 步发散。"
        "学习率超过 2 ÷（最大曲率）= 1 时，梯度下降在这个碗上会飞出去。\n"
        "4. 按 **逃离鞍点**，问哪些优化器能离开鞍点。播放后打开起点处的 **曲率分析** 标签页，展示下坡方向。\n"
        "5. 按 **病态碗形**，一边调节 κ，一边让全班观察锯齿如何变化。"),
    "lesson.init": (
        "1. Press **Sigmoid, std 1**. Ask where layer 5's outputs will sit. Show the two spikes at 0 "
        "and 1 and the saturated column of the table: the units are stuck, and ∂L/∂z shrinks.\n"
        "2. Press **Sigmoid, std 0.01**. Ask what changes. Everything piles up at 0.5: every unit says "
        "the same thing.\n"
        "3. Press **Sigmoid, Xavier** and ask the class to describe the difference layer by layer.\n"
        "4. Switch on the comparison. Set A to **ReLU, Xavier** and B to **ReLU, He** (the buttons "
        "set the side chosen above them). Ask which spread survives the depth, then raise the layers to 10.",
        "1. 按 **Sigmoid，标准差 1**。问第 5 层的输出会落在哪里。展示 0 和 1 处的两个尖峰以及表格中的"
        "饱和比例：神经元卡住了，∂L/∂z 随之变小。\n"
        "2. 按 **Sigmoid，标准差 0.01**。问有什么变化：所有值都挤在 0.5，每个神经元输出都一样。\n"
        "3. 按 **Sigmoid，Xavier**，请大家逐层描述有何不同。\n"
        "4. 打开对比。把 A 设为 **ReLU，Xavier**，B 设为 **ReLU，He**（按钮设置的是其上方选中的一侧）。"
        "问哪种分布能穿过多层而保持，再把层数调到 10。"),
    "lesson.bs": (
        "1. On **⏱ Time**, ask whether a batch of 1,000 images costs 1,000 times a batch "
        "of one. Press Measure and read the time per image.\n"
        "2. On **〰 Noise**, ask how the noise of the gradient changes with the batch size, "
        "then compare the measured points with the 1/√B line.\n"
        "3. On **🗺 Surfaces**, ask which batch size wanders and which goes straight.\n"
        "4. On **🎯 Accuracy**, ask whether the largest batch reaches the smallest one's "
        "accuracy after the same number of epochs, then compute and read the note under the chart.",
        "1. 在 **⏱ 时间** 中，问 1000 张图像的批量是否要花 1 张的 1000 倍时间。按测量，"
        "看每张图像的时间。\n"
        "2. 在 **〰 噪声** 中，问梯度噪声如何随批量大小变化，再把测得的点与 1/√B 曲线比较。\n"
        "3. 在 **🗺 曲面** 中，问哪个批量走得曲折、哪个走得直。\n"
        "4. 在 **🎯 准确率** 中，问同样的轮数下最大批量能否达到最小批量的准确率，计算后阅读图下的说明。"),
    "lesson.mnist": (
        "1. Choose **Optimizers** and ask which network will have the lowest loss after 2,000 "
        "iterations. Everyone may press Start: the class shares one race.\n"
        "2. While it runs, ask why the curves are noisy: each point is one mini-batch.\n"
        "3. Choose **Initialisation** and ask which of the six networks will not learn at all. "
        "Start, and look for \"chance level\" in the results table.\n"
        "4. Choose **Overfitting** and ask what happens to the gap between training and test "
        "accuracy with weight decay or dropout.",
        "1. 选择 **优化器**，问 2000 次迭代后哪个网络的损失最低。每个人都可以按开始：全班共享同一场比赛。\n"
        "2. 训练进行时，问曲线为什么有噪声：每个点都是一个小批量。\n"
        "3. 选择 **初始化**，问六个网络中哪个完全学不会。开始后，在结果表里找「随机水平」。\n"
        "4. 选择 **过拟合**，问加入权重衰减或 dropout 后，训练与测试准确率之间的差距会怎样。"),
    "common.present": ("Presentation mode", "演示模式"),
    "common.present.help": ("For a projector: the sidebar folds away (open it with the arrow at the top left), "
                            "the type grows and each page's main figure fits a 1280×720 screen. Links keep it "
                            "(?present=1).", "用于投影：侧边栏收起（可点左上角箭头展开），字体变大，每页主图适合 1280×720 屏幕。"
                            "链接会保留此设置（?present=1）。"),
    "link.refused": ("This link asked for values these controls cannot take: {keys}. They show their "
                     "defaults instead.", "此链接中的这些值无法使用：{keys}。相应控件已恢复为默认值。"),
    "link.dismiss": ("OK", "知道了"),
    "common.explain": ("What to look for", "看点"),
    # trajectories page
    "traj.title": ("Optimizer trajectories", "优化器轨迹"),
    "traj.caption": (
        "Each optimizer starts from the same point and follows its own update rule. Press ▶ to "
        "replay the race; click the contour to move the start.",
        "所有优化器从同一点出发，各自按更新规则前进。按 ▶ 回放；点击等高线图可移动起点。",
    ),
    "traj.surface": ("Surface", "曲面"),
    "traj.kappa": ("Condition number κ", "条件数 κ"),
    "traj.optimizers": ("Optimizers", "优化器"),
    "traj.steps": ("Steps", "步数"),
    "traj.start_x": ("Start x", "起点 x"),
    "traj.start_y": ("Start y", "起点 y"),
    "traj.schedule": ("Learning-rate schedule", "学习率调度"),
    "traj.noise": ("Gradient noise σ", "梯度噪声 σ"),
    "traj.noise.help": (
        "Adds Gaussian noise of this standard deviation to every gradient, like a mini-batch would.",
        "给每次梯度加上该标准差的高斯噪声，模拟小批量带来的噪声。",
    ),
    "opt.settings": ("Settings of {name}", "{name} 的设置"),
    "opt.lr": ("Learning rate", "学习率"),
    "opt.momentum": ("Momentum μ", "动量 μ"),
    "opt.beta1": ("β₁", "β₁"),
    "opt.beta2": ("β₂", "β₂"),
    "opt.alpha": ("Decay α", "衰减 α"),
    "opt.weight_decay": ("Weight decay", "权重衰减"),
    "traj.pick_one": ("Choose at least one optimizer.", "请至少选择一个优化器。"),
    "traj.tab.paths": ("Paths", "轨迹"),
    "traj.tab.panels": ("One panel each", "分图"),
    "traj.tab.surface3d": ("3-D surface", "三维曲面"),
    "traj.tab.curves": ("Loss and distance", "损失与距离"),
    "traj.tab.curvature": ("Curvature", "曲率分析"),
    "traj.status": ("Where each run ended", "各次运行的结果"),
    "traj.diverged": ("diverged at step {k}", "在第 {k} 步发散"),
    "traj.escaped": ("escaped downhill out of sight at step {k}", "在第 {k} 步沿下坡离开视野"),
    "traj.ended": ("f = {f} after {n} steps", "{n} 步后 f = {f}"),
    "traj.no_minimum": (
        "This surface has no minimum (it falls without bound), so there is no distance to plot.",
        "这个曲面没有极小值（它向下无界），因此无法画出到极小值的距离。",
    ),
    "traj.at": ("Analyse the point", "分析的点"),
    "traj.at.start": ("Start point", "起点"),
    "traj.at.path": ("A step of {name}", "{name} 的某一步"),
    "traj.at.step": ("Step", "步"),
    "traj.kind": ("Kind", "类型"),
    "traj.value": ("f", "f"),
    "traj.grad": ("Gradient", "梯度"),
    "traj.hessian": ("Hessian H", "黑塞矩阵 H"),
    "traj.eigen": ("Eigenvalues of H", "H 的特征值"),
    "traj.cond": ("Condition number", "条件数"),
    "traj.lr_limit": ("GD stable for lr <", "GD 稳定条件 lr <"),
    "traj.escape": (
        "H has a negative eigenvalue λ = {lam}: along its eigenvector u = ({ux}, {uy}) the surface "
        "curves down. A step of η = {eta} along u changes f by η·gᵀu + ½·λ·η² = −{pred} "
        "(second-order Taylor; at a saddle g = 0 and only ½·λ·η² < 0 is left); the surface "
        "itself drops by {act}.",
        "H 有负特征值 λ = {lam}：沿其特征向量 u = ({ux}, {uy}) 曲面向下弯。沿 u 走 η = {eta}，"
        "f 的变化为 η·gᵀu + ½·λ·η² = −{pred}（二阶泰勒展开；在鞍点 g = 0，只剩 ½·λ·η² < 0）；"
        "曲面实际下降 {act}。",
    ),
    "traj.kind.minimum": ("local minimum", "局部极小值"),
    "traj.kind.maximum": ("local maximum", "局部极大值"),
    "traj.kind.saddle": ("saddle point", "鞍点"),
    "traj.kind.degenerate": ("degenerate critical point (H has a zero eigenvalue)", "退化临界点（H 有零特征值）"),
    "traj.kind.convex": ("not critical; curving up in every direction", "非临界点；各方向都向上弯"),
    "traj.kind.concave": ("not critical; curving down in every direction", "非临界点；各方向都向下弯"),
    "traj.kind.saddle-shaped": ("not critical; saddle-shaped", "非临界点；呈鞍形"),
    "traj.kind.flat direction": ("not critical; flat in one direction", "非临界点；某方向平坦"),
    "traj.preset.book": ("Book figure", "书中图 6-8"),
    "traj.preset.saddle": ("Saddle escape", "逃离鞍点"),
    "traj.preset.illcond": ("Ill-conditioned bowl", "病态碗形"),
    "traj.preset.rosenbrock": ("Rosenbrock", "Rosenbrock"),
    "traj.look.book": (
        "SGD zig-zags across the narrow y direction and crawls along x; Momentum overshoots and "
        "swings back; AdaGrad's steps shrink as squared gradients pile up; Adam moves like a ball "
        "with friction and its own per-coordinate step size.",
        "SGD 在狭窄的 y 方向来回震荡，沿 x 方向缓慢前进；Momentum 冲过头再荡回；AdaGrad 的步长随"
        "梯度平方累积而缩小；Adam 像带摩擦的小球，并且每个坐标有自己的步长。",
    ),
    "traj.look.saddle": (
        "The start lies 0.0001 off the saddle's stable line. Plain gradient descent (and Adam) "
        "slide into the saddle (0, 0) and stall there; momentum keeps its speed and leaves along "
        "the downhill eigenvector u = (1, 1)/√2 to the valley w₁w₂ = 1. Set the gradient noise "
        "to 0.2 and SGD escapes too.",
        "起点离鞍点的稳定方向只差 0.0001。普通梯度下降（以及 Adam）滑入鞍点 (0, 0) 后停滞；动量保持"
        "速度，沿下坡特征向量 u = (1, 1)/√2 离开，到达谷底 w₁w₂ = 1。把梯度噪声设为 0.2，SGD 也能逃离。",
    ),
    "traj.look.illcond": (
        "With κ = 100 the largest stable SGD learning rate is set by the steep direction, so the "
        "flat direction barely moves. Adaptive methods divide by each coordinate's own gradient "
        "scale and walk straight to the minimum.",
        "κ = 100 时，SGD 的最大稳定学习率由陡峭方向决定，平坦方向几乎不动。自适应方法按每个坐标自身的"
        "梯度尺度归一化，径直走向极小值。",
    ),
    "traj.look.rosenbrock": (
        "The minimum (1, 1) sits at the end of a long curved valley. Everything finds the valley "
        "quickly; moving along it is the hard part.",
        "极小值 (1, 1) 位于一条弯曲长谷的尽头。找到谷底很快，沿谷底前进才是难点。",
    ),
    "traj.look.default": (
        "Compare how far each optimizer gets in the same number of steps, and which ones "
        "overshoot. Hover over a path to read its points.",
        "比较相同步数内每个优化器能走多远，以及哪些会冲过头。把鼠标停在轨迹上可以读出坐标。",
    ),
    "traj.rules": ("Update rules (PyTorch conventions)", "更新规则（PyTorch 约定）"),
    # surfaces: what each one shows (their names, in SURFACE_NAMES, are the same in every language)
    "surface.bowl": ("The book's surface: 20 times flatter along x than along y.", "书中的函数：x 方向比 y 方向平坦 20 倍。"),
    "surface.conditioned": ("Choose how much flatter x is than y (the condition number κ).", "自选 x 比 y 平坦多少倍（条件数 κ）。"),
    "surface.saddle": ("The plainest saddle: up along x, down along y.", "最简单的鞍面：沿 x 向上，沿 y 向下。"),
    "surface.monkey": ("A degenerate saddle: its Hessian at 0 is zero, three ways down.", "退化鞍点：原点处黑塞矩阵为零，有三个下坡方向。"),
    "surface.li": ("Li Hongyi's example: a saddle at 0, a valley of minima where w₁w₂ = 1.", "李宏毅课上的例子：原点是鞍点，w₁w₂ = 1 处是一条极小值谷。"),
    "surface.rosenbrock": ("A long curved valley; the minimum (1, 1) is at its end.", "弯曲的长谷，极小值 (1, 1) 在谷的尽头。"),
    "surface.beale": ("Steep walls, flat plateaus, minimum at (3, 0.5).", "陡峭的壁和平坦的台地，极小值在 (3, 0.5)。"),
    "surface.himmelblau": ("Four equal minima: which one you reach depends on where you start.", "四个同样低的极小值：到达哪一个取决于起点。"),
    "surface.eggcrate": ("A bowl with ripples: nine local minima, one global at 0.", "带波纹的碗：九个局部极小值，全局最小在原点。"),
    # schedules: what each one does (their names, formulas, are in SCHEDULE_NAMES)
    "schedule.constant": ("Constant learning rate.", "学习率不变。"),
    "schedule.step": ("Multiply by 0.2 at one third and at two thirds of the run (T steps).",
                      "在运行（共 T 步）的三分之一和三分之二处各乘以 0.2。"),
    "schedule.exponential": ("Shrink by the same factor every step, to 1 % of η₀ at the end of the run.",
                             "每步乘以同一个因子，到运行结束时降到 η₀ 的 1 %。"),
    "schedule.cosine": ("Cosine annealing from η₀ to 0 over the whole run.", "在整个运行中从 η₀ 余弦退火到 0。"),
    "schedule.warmup": ("Linear warm-up over the first tenth of the run, then constant.",
                        "在运行的前十分之一线性预热，之后不变。"),
    # figures
    "fig.start": ("start", "起点"),
    "fig.end": ("end", "终点"),
    "fig.minimum": ("minimum", "极小值"),
    "fig.saddle": ("saddle", "鞍点"),
    "fig.maximum": ("maximum", "极大值"),
    "fig.valley": ("minima (w₁w₂ = 1)", "极小值（w₁w₂ = 1）"),
    "fig.step": ("step", "步数"),
    "fig.loss": ("f − f*", "f − f*"),
    "fig.loss_raw": ("f", "f"),
    "fig.distance": ("distance to nearest minimum", "到最近极小值的距离"),
    "fig.play": ("▶ Play", "▶ 播放"),
    "fig.pause": ("❚❚ Pause", "❚❚ 暂停"),
    "fig.log_colour": ("colour: log(1 + f − f*)", "颜色：log(1 + f − f*)"),
    "fig.eigvec": ("eigenvector, λ = {lam}", "特征向量，λ = {lam}"),
    "fig.escape": ("escape step", "逃离步"),
    "fig.layer": ("layer", "第几层"),
    "fig.activation": ("activation", "激活值"),
    "fig.gradient": ("∂L/∂z", "∂L/∂z"),
    # batch size
    "bs.title": ("Batch size: what it costs and what it buys", "批量大小：代价与收益"),
    "bs.caption": (
        "Every number on this page is measured now, on the server you are using, with real MNIST digits "
        "(the two-parameter example uses a small synthetic set).",
        "本页的每个数字都是此刻在你所用的服务器上、用真实 MNIST 数字测得的（两参数的例子用一个小的合成数据集）。",
    ),
    "bs.tradeoffs": ("Small vs large batches at a glance", "小批量与大批量一览"),
    "bs.trade.aspect": ("what", "项目"),
    "bs.trade.small": ("small batch", "小批量"),
    "bs.trade.large": ("large batch", "大批量"),
    "bs.trade.update": ("time per update, one example at a time", "每次更新的时间（逐个样本计算）"),
    "bs.trade.update.small": ("faster", "更快"),
    "bs.trade.update.large": ("slower", "更慢"),
    "bs.trade.update_par": ("time per update, computed in parallel", "每次更新的时间（并行计算）"),
    "bs.trade.update_par.small": ("about the same", "差不多"),
    "bs.trade.update_par.large": ("about the same, until the machine is saturated", "差不多，直到机器算力饱和"),
    "bs.trade.epoch": ("time per epoch", "每轮（epoch）的时间"),
    "bs.trade.epoch.small": ("slower", "更慢"),
    "bs.trade.epoch.large": ("faster", "更快"),
    "bs.trade.gradient": ("gradient", "梯度"),
    "bs.trade.gradient.small": ("noisy", "有噪声"),
    "bs.trade.gradient.large": ("stable", "稳定"),
    "bs.trade.optim": ("optimisation", "优化"),
    "bs.trade.optim.small": ("better", "更好"),
    "bs.trade.optim.large": ("worse", "更差"),
    "bs.trade.general": ("generalisation", "泛化"),
    "bs.trade.general.small": ("better", "更好"),
    "bs.trade.general.large": ("worse", "更差"),
    "bs.tab.time": ("⏱ Time", "⏱ 时间"),
    "bs.tab.noise": ("〰 Noise", "〰 噪声"),
    "bs.tab.surface": ("🗺 Surfaces", "🗺 曲面"),
    "bs.tab.sweep": ("🎯 Accuracy", "🎯 准确率"),
    "bs.tab.flat": ("⛰ Sharp vs flat", "⛰ 尖锐与平坦"),
    "bs.batch": ("batch size", "批量大小"),
    "bs.images": ("Training images", "训练图片数"),
    "bs.epochs": ("Epochs", "轮数"),
    "bs.stop": ("■ Stop", "■ 停止"),
    "bs.compute": ("▶ Compute", "▶ 计算"),
    "bs.press_compute": ("Press Compute: the server works it out once for the whole class (about a second on a quiet "
                         "server), and everyone who asks for the same settings sees the same result.",
                         "按「计算」：服务器为全班只算一次（空闲时约一秒），设置相同的同学看到同一个结果。"),
    "bs.shared": ("Computed {s:,.0f} s ago on this server, once for everyone who asks for these settings.",
                  "{s:,.0f} 秒前在本服务器上算出，所有选了相同设置的人共用这一结果。"),
    "bs.phase.sizes": ("batch sizes", "各批量大小"),
    "bs.phase.train": ("one epoch of training", "训练一轮"),
    "bs.phase.per_example": ("gradients of single examples (σ²)", "单个样本的梯度（σ²）"),
    "bs.phase.train_small": ("training with the small batch", "用小批量训练"),
    "bs.phase.around_small": ("loss around the small-batch solution", "小批量解周围的损失"),
    "bs.phase.train_large": ("training with the large batch", "用大批量训练"),
    "bs.phase.around_large": ("loss around the large-batch solution", "大批量解周围的损失"),
    "bs.phase.line": ("loss on the line through both", "穿过两个解的直线上的损失"),
    "jobs.phase_done": ("{name}: done", "{name}：完成"),
    "jobs.phase_now": ("{name}: {done:,} of {total:,}", "{name}：{done:,} / {total:,}"),
    "jobs.phase_next": ("{name}: next", "{name}：稍后"),
    "jobs.estimating": ("estimating the time left…", "正在估算剩余时间……"),
    "jobs.left": ("about {s:,.0f} s left in this phase", "本阶段约剩 {s:,.0f} 秒"),
    "jobs.failed": ("The computation stopped with an error: {error}", "计算出错而停止：{error}"),
    "bs.time.about": (
        "One update = take a batch, run it forward and backward through the network, apply the step. The sweep "
        "times it for batch sizes from 1 to the whole training set, several times each, and derives the time of "
        "one epoch (⌈N/B⌉ updates). It takes up to about 10 seconds; the class shares one measurement per network "
        "for five minutes, and anyone can measure again.",
        "一次更新 = 取一个批量、前向与反向传播、更新参数。下面对从 1 到整个训练集的批量大小逐一计时（每个重复多次），"
        "并推算一轮（⌈N/B⌉ 次更新）的时间。最多约 10 秒；每个网络的测量结果全班共用五分钟，谁都可以重新测量。",
    ),
    "bs.time.net": ("Network", "网络"),
    "bs.time.measure": ("⏱ Measure on this server", "⏱ 在本服务器上测量"),
    "bs.time.again": ("⏱ Measure again", "⏱ 重新测量"),
    "bs.time.partial": ("Stopped after batch size {b}: press Measure to go on.",
                        "在批量大小 {b} 之后停止：按「测量」继续。"),
    "bs.time.lesson": (
        "One example takes {t1:.2f} ms per update; a batch of {b} takes {tb:.1f} ms, only {ratio:.0f}× longer for "
        "{b}× the work, because matrix products use the processor's parallel lanes. So an epoch costs {e1:.1f} s "
        "one example at a time but {eb:.2f} s with batches of {b}. The dashed line is a machine that did one example "
        "after another: where the measurement bends up towards it, the processor is saturated.",
        "单个样本每次更新 {t1:.2f} ms；批量 {b} 需 {tb:.1f} ms——工作量是 {b} 倍，时间只多 {ratio:.0f} 倍，因为矩阵乘法"
        "用上了处理器的并行能力。所以逐个样本跑一轮要 {e1:.1f} s，而批量 {b} 只要 {eb:.2f} s。虚线是逐个样本依次计算的机器："
        "实测曲线向它弯上去的地方，处理器已经饱和。",
    ),
    "bs.noise.about": (
        "At one fixed network state, the gradient of many random mini-batches is compared with the gradient of "
        "all the training images: how far it lands (variance) and how well it points the same way (cosine).",
        "在同一个固定的网络状态下，把许多随机小批量的梯度与全部训练图片的梯度相比：偏差有多大（方差），方向有多一致（余弦相似度）。",
    ),
    "bs.noise.state": ("Network state", "网络状态"),
    "bs.noise.init": ("at initialisation", "初始化时"),
    "bs.noise.trained": ("after one epoch", "训练一轮后"),
    "bs.noise.batches": ("Batches per size", "每种大小的批量数"),
    "bs.noise.lesson": (
        "The variance falls with slope {slope:.2f} on the log–log plot: about 1/B, as for an average of B independent "
        "samples (the dashed line, σ²/B · (N − B)/(N − 1) because batches are drawn without replacement). A single "
        "example's gradient points only {c1:.2f} of the way along the full gradient; a batch of {bl} reaches {cl:.2f}.",
        "方差在双对数图上的斜率是 {slope:.2f}：约为 1/B，正如 B 个独立样本的平均（虚线为 σ²/B · (N − B)/(N − 1)，"
        "因为批量是无放回抽取的）。单个样本的梯度与全量梯度的余弦只有 {c1:.2f}；批量 {bl} 时达到 {cl:.2f}。",
    ),
    "bs.surface.about": (
        "Logistic regression with two weights, so the loss is a map. The filled contour is the loss on all the data; "
        "the coloured lines are the losses of three single mini-batches: each batch sees a different surface. "
        "SGD with batch 1, a small batch and the full batch start from the same point (×) with the same learning rate.",
        "两个权重的逻辑回归，于是损失是一张地图。填色等高线是全部数据上的损失；彩色线是三个单独小批量的损失：每个批量看到的曲面都不同。"
        "批量 1、小批量与全批量的 SGD 从同一点（×）以相同学习率出发。",
    ),
    "bs.surface.batch": ("Small batch size", "小批量大小"),
    "bs.surface.path": ("batch {b} ({u} updates per epoch)", "批量 {b}（每轮 {u} 次更新）"),
    "bs.surface.updates": ("updates", "更新次数"),
    "bs.surface.final": ("final full-data loss", "最终全数据损失"),
    "bs.surface.lesson": (
        "With {n} examples, batch 1 makes {n} noisy updates per epoch, the full batch one exact update. In the same "
        "number of epochs the small batches travel much further; their zig-zag is the gradient noise, and it is also "
        "what lets them leave a point where one batch's gradient happens to vanish.",
        "共 {n} 个样本时，批量 1 每轮做 {n} 次有噪声的更新，全批量只做 1 次精确更新。在相同轮数内小批量走得远得多；"
        "它们的之字形就是梯度噪声，也正是它让参数能离开某个批量梯度恰好为零的点。",
    ),
    "bs.sweep.about": (
        "The same network (784-100-100-10, SGD) trained for the same number of epochs at batch sizes 8 to 2048, "
        "once with a fixed learning rate and once with the rate scaled in proportion to the batch (the linear rule). "
        "Validation accuracy is measured on held-out test images.",
        "同一个网络（784-100-100-10，SGD）以批量 8 到 2048 训练相同轮数：一次用固定学习率，一次让学习率与批量成正比（线性缩放规则）。"
        "验证准确率在未参与训练的测试图片上测量。",
    ),
    "bs.sweep.lr": ("Learning rate at batch {b}", "批量 {b} 时的学习率"),
    "bs.sweep.progress": ("{done} of {total} networks trained", "已训练 {done} / {total} 个网络"),
    "bs.sweep.fixed": ("fixed learning rate", "固定学习率"),
    "bs.sweep.scaled": ("learning rate ∝ batch", "学习率 ∝ 批量"),
    "bs.sweep.val": ("validation", "验证集"),
    "bs.sweep.split": ("Dashed: training accuracy, solid: validation accuracy.", "虚线：训练准确率；实线：验证准确率。"),
    "bs.sweep.val_acc": ("validation accuracy", "验证准确率"),
    "bs.sweep.rule": ("learning rate rule", "学习率规则"),
    "bs.sweep.lesson": (
        "With a fixed rate, bigger batches mean fewer updates in the same epochs, and both training and validation "
        "accuracy drop: an optimisation problem, not overfitting. Scaling the rate with the batch recovers much of it, "
        "up to a point: when the scaled rate gets too large, training breaks down.",
        "固定学习率时，批量越大，相同轮数内的更新越少，训练与验证准确率一起下降：这是优化问题，不是过拟合。"
        "让学习率随批量放大能挽回大部分，但有限度：放大后的学习率过大时，训练就崩溃了。",
    ),
    "bs.flat.about": (
        "Two copies of one network (same start) are trained until they fit the training images (close to 100 % "
        "training accuracy, see the table), one with a small batch and "
        "one with a large batch. Left: the loss on the straight line through both solutions and beyond. Right: the "
        "loss along random directions around each (scaled to each layer's weights, averaged over three directions).",
        "同一网络的两份拷贝（相同起点）都训练到拟合训练图片（训练准确率接近 100 %，见下表），一个用小批量，一个用大批量。左：穿过两个解并向外延伸的直线上的损失。"
        "右：沿各自周围随机方向的损失（按每层权重缩放，三个方向取平均）。",
    ),
    "bs.flat.small": ("Small batch", "小批量"),
    "bs.flat.large": ("Large batch", "大批量"),
    "bs.flat.press": ("Press Compute: two networks are trained and the loss around each is probed, once for the whole "
                      "class (about 15 s on a quiet server). The small batch's side is drawn after about 4 s, while "
                      "the large batch still trains.",
                      "按「计算」：训练两个网络并探测各自周围的损失，全班只算一次（空闲时约 15 秒）。约 4 秒后先画出小批量"
                      "一侧，大批量仍在训练。"),
    "bs.flat.width_train": ("basin width (train)", "盆地宽度（训练）"),
    "bs.flat.width_test": ("basin width (test)", "盆地宽度（测试）"),
    "bs.flat.lesson": (
        "Basin width is how far along a random direction the loss stays within 0.5 of its value at the solution. The small-batch "
        "solution usually sits in the wider basin, and the test loss, a shifted copy of the training loss, stays "
        "low around it; around a sharp minimum the same shift costs much more (Keskar et al. 2017).",
        "盆地宽度指沿随机方向走多远损失仍不超过解处的值加 0.5。小批量的解通常位于更宽的盆地中；测试损失好比平移过的训练损失，"
        "在宽盆地附近仍然很低，而在尖锐极小值附近同样的平移代价大得多（Keskar 等，2017）。",
    ),
    "bs.fig.per_update": ("time of one update", "一次更新的时间"),
    "bs.fig.per_epoch": ("time of one epoch", "一轮的时间"),
    "bs.fig.measured": ("measured (median, 25–75 %)", "实测（中位数，25–75 %）"),
    "bs.fig.serial": ("one example after another", "逐个样本依次计算"),
    "bs.fig.batch": ("batch size B", "批量大小 B"),
    "bs.fig.variance": ("gradient variance (slope {slope:.2f})", "梯度方差（斜率 {slope:.2f}）"),
    "bs.fig.cosine": ("cosine with the full gradient", "与全量梯度的余弦相似度"),
    "bs.fig.one_over_b": ("σ²/B (without replacement)", "σ²/B（无放回）"),
    "bs.fig.full_loss": ("loss on all data", "全部数据上的损失"),
    "bs.fig.batch_loss": ("loss of mini-batch {k}", "小批量 {k} 的损失"),
    "bs.fig.start": ("start", "起点"),
    "bs.fig.minimum": ("minimum of the full loss", "全数据损失的极小值"),
    "bs.fig.line": ("loss on the line through both solutions", "穿过两个解的直线上的损失"),
    "bs.fig.line_wait": ("drawn once both networks are trained", "两个网络都训练完后绘制"),
    "bs.fig.random": ("loss along random directions", "沿随机方向的损失"),
    "bs.fig.train": ("train", "训练集"),
    "bs.fig.test": ("test", "测试集"),
    "bs.fig.distance": ("step along the direction", "沿方向的步长"),
    "bs.fig.loss": ("cross-entropy (log scale)", "交叉熵（对数刻度）"),
    # live MNIST training
    "mnist.title": ("Live MNIST training", "MNIST 实时训练"),
    "mnist.caption": (
        "Networks train side by side on real handwritten digits, on identical shuffled mini-batches from "
        "identical starting weights, so every difference you see comes from the setting that differs.",
        "多个网络在真实手写数字上并排训练：同样打乱的小批量、同样的初始权重，所以看到的每个差别都来自不同的那项设置。",
    ),
    "mnist.downloading": ("Downloading MNIST for the whole class, once: {name} {pct} % ({s:.0f} s so far; a "
                          "mirror that has not delivered a file within {limit:.0f} s is given up).",
                          "正在为全班下载 MNIST（只下载一次）：{name} {pct} %（已用 {s:.0f} 秒；某个镜像 {limit:.0f} 秒内"
                          "未传完一个文件就放弃它）。"),
    "mnist.unavailable": ("MNIST is not available, so this page cannot train. The other pages work.",
                          "MNIST 数据不可用，本页无法训练；其他页面照常使用。"),
    "mnist.retry": ("Try again", "重试"),
    "mnist.experiment": ("Experiment", "实验"),
    "mnist.exp.optimizers": ("Optimizers", "优化器"),
    "mnist.exp.init": ("Initialisation", "初始化"),
    "mnist.exp.batchnorm": ("Batch norm", "批归一化"),
    "mnist.exp.overfit": ("Overfitting", "过拟合"),
    "mnist.exp.schedules": ("LR schedules", "学习率调度"),
    "mnist.exp.custom": ("Custom", "自定义"),
    "mnist.about.optimizers": (
        "The book's race: SGD, Momentum, AdaGrad and Adam (plus Nesterov and RMSProp) train the same "
        "784-100-100-100-100-10 ReLU network with batch 128 for 2000 iterations. Change any row to AdamW to add it.",
        "书中的比赛：SGD、Momentum、AdaGrad 与 Adam（外加 Nesterov 和 RMSProp）训练同一个 784-100-100-100-100-10 "
        "ReLU 网络，批大小 128，迭代 2000 次。把任意一行改成 AdamW 即可加入它。",
    ),
    "mnist.about.init": (
        "Weight std 0.01, Xavier and He, each with sigmoid and with ReLU, all trained by SGD (lr 0.01).",
        "权重标准差 0.01、Xavier 与 He，各配 sigmoid 与 ReLU，全部用 SGD（学习率 0.01）训练。",
    ),
    "mnist.about.batchnorm": (
        "1000 training images; initial weight std 1, 0.01 and 0.0001, each with and without batch norm.",
        "1000 张训练图片；初始权重标准差 1、0.01、0.0001，各自有无批归一化。",
    ),
    "mnist.about.overfit": (
        "Only 300 training images and six hidden layers: the plain network memorises them. Compare weight decay "
        "λ = 0.1 and dropout 0.2: watch the gap between the dashed (train) and solid (test) accuracy.",
        "只有 300 张训练图片、六个隐藏层：普通网络会把它们背下来。对比权重衰减 λ = 0.1 与 Dropout 0.2："
        "看虚线（训练）与实线（测试）准确率之间的差距。",
    ),
    "mnist.about.schedules": (
        "Momentum (lr 0.1) with a constant rate, step decay (×0.2 at one and at two thirds of the run), cosine annealing "
        "and a linear warm-up over the first tenth.",
        "Momentum（学习率 0.1）分别配合恒定学习率、阶梯衰减（在训练的三分之一和三分之二处各乘 0.2）、余弦退火，以及前十分之一的线性预热。",
    ),
    "mnist.about.custom": (
        "A free mix: edit any cell, add or delete rows (at most six), and change the shared settings on the left.",
        "自由组合：编辑任意单元格、增删行（最多六行），并在左侧修改共享设置。",
    ),
    "mnist.n_train": ("Training images", "训练图片数"),
    "mnist.batch": ("Batch size", "批大小"),
    "mnist.iterations": ("Iterations", "迭代次数"),
    "mnist.epochs": ("= {epochs:.1f} epochs", "= {epochs:.1f} 轮（epoch）"),
    "mnist.hidden": ("Hidden layer sizes", "隐藏层大小"),
    "mnist.bad_hidden": (
        "Write 1 to {max_layers} sizes of 1 to {max_units} units, separated by commas (like 100,100,50). "
        "Using the experiment's sizes until then.",
        "请写 1 到 {max_layers} 个 1 到 {max_units} 之间的数，用逗号分隔（如 100,100,50）。在此之前使用实验的默认大小。",
    ),
    "mnist.contestants": ("The {n} networks in the race", "参赛的 {n} 个网络"),
    "mnist.contestant": ("The network in the race", "参赛的网络"),
    "mnist.table_help": ("Edit a cell, or add and delete rows (at most six). Every network shares the settings on the left.",
                         "可编辑单元格、增删行（最多六行）。所有网络共享左侧的设置。"),
    "mnist.col.optimizer": ("Optimizer", "优化器"),
    "mnist.col.bn": ("Batch norm", "批归一化"),
    "mnist.col.dropout": ("Dropout", "Dropout"),
    "mnist.col.l2": ("L2 / decay λ", "L2 / 衰减 λ"),
    "mnist.col.l2.help": (
        "On weights only, never biases: an L2 penalty for every optimizer (λ·w joins the gradient), except "
        "AdamW, which shrinks the weights by η·λ each step (decoupled weight decay).",
        "只作用于权重，不作用于偏置：对所有优化器是 L2 惩罚（λ·w 加进梯度），AdamW 除外，"
        "它每步把权重直接缩小 η·λ（解耦权重衰减）。",
    ),
    "mnist.col.schedule": ("LR schedule", "学习率调度"),
    "mnist.too_many": ("At most six networks race at once: the rows after the sixth are left out.",
                       "一次最多六个网络比赛：第六行之后的行不参加。"),
    "mnist.too_big": (
        "These networks hold {n:,} parameters together; a race may hold at most {limit:,}, because every "
        "student's race lives in the server's memory. Use fewer or smaller hidden layers, or fewer networks.",
        "这些网络共有 {n:,} 个参数；一场比赛最多 {limit:,} 个，因为每位同学的比赛都占用服务器内存。"
        "请减少或缩小隐藏层，或减少网络数量。",
    ),
    "mnist.no_nets": ("Add at least one network to the table.", "请在表中至少添加一个网络。"),
    "mnist.bn_batch1": ("Batch norm needs at least 2 images per batch: the statistics of a single image "
                        "are meaningless (its variance is 0). Choose batch 2 or more, or switch batch norm off.",
                        "批归一化每批至少需要 2 张图像：单张图像的统计量没有意义（方差为 0）。"
                        "请选择 2 或更大的批大小，或关闭批归一化。"),
    "mnist.start": ("▶ Start", "▶ 开始"),
    "mnist.pause": ("❚❚ Pause", "❚❚ 暂停"),
    "mnist.resume": ("▶ Resume", "▶ 继续"),
    "mnist.reset": ("↺ Reset", "↺ 重置"),
    "mnist.changed": ("The settings changed since this run started; it goes on with the old ones. "
                      "Press Reset to train with the new ones.",
                      "开始训练后设置有改动；本次训练仍用原来的设置。按「重置」以新设置训练。"),
    "mnist.press_start": ("Press Start: the curves grow here while the networks train.",
                          "按「开始」：网络训练时，曲线会在这里增长。"),
    "mnist.diverged": ("diverged at step {at}", "在第 {at} 步发散"),
    "mnist.chance": ("chance level ({acc})", "随机水平（{acc}）"),
    "mnist.iteration": ("iteration", "迭代"),
    "mnist.epoch": ("epoch", "轮数"),
    "mnist.left": ("time left", "剩余时间"),
    "mnist.left_help": ("Estimated from how fast this race moved in the last seconds, with the server shared by "
                        "everyone training now.",
                        "根据这场比赛最近几秒的进度估算；服务器由此刻所有在训练的人共用。"),
    "mnist.eta": ("≈ {s:,.0f} s", "约 {s:,.0f} 秒"),
    "mnist.eta_unknown": ("estimating…", "估算中……"),
    "mnist.eta_paused": ("paused", "已暂停"),
    "mnist.eta_done": ("finished", "已完成"),
    "mnist.watching": ("watching this race", "观看这场比赛"),
    "mnist.watching_help": ("Students whose pages show any of these networks right now, you included. A network "
                            "is trained once for the whole class: everyone watching it sees the same curves.",
                            "此刻页面上显示这些网络中任意一个的同学数（包括你）。每个网络只为全班训练一次："
                            "看同一个网络的人看到相同的曲线。"),
    "mnist.sharing": ("{shared} of your {n} networks are also watched by classmates. On the server now: {runs} "
                      "networks in training, {students} watching; every network gets an equal turn.",
                      "你的 {n} 个网络中有 {shared} 个同学也在看。服务器此刻：{runs} 个网络在训练，{students} 人在看；"
                      "每个网络轮流获得同样的时间。"),
    "mnist.shared_done": ("Each network was trained once for the whole class: whoever starts the same race sees "
                          "these results at once.",
                          "每个网络只为全班训练一次：谁开始同样的比赛，都会立刻看到这些结果。"),
    "mnist.loss_axis": ("training loss", "训练损失"),
    "mnist.loss_axis_note": ("cross-entropy, log scale", "交叉熵，对数刻度"),
    "mnist.acc_axis": ("accuracy", "准确率"),
    "mnist.acc_split": ("Colours as on the left. Dashed: training images, solid: test images. Each point is "
                        "measured on {live} images of each set; the results table on up to {final}.",
                        "颜色同左图。虚线：训练图片；实线：测试图片。每个点在每个集合的 {live} 张图片上测量；"
                        "结果表在最多 {final} 张图片上测量。"),
    "mnist.train": ("train", "训练集"),
    "mnist.test": ("test", "测试集"),
    "mnist.results": ("Results", "结果"),
    "mnist.net": ("network", "网络"),
    "mnist.final_loss": ("final loss (smoothed)", "最终损失（平滑）"),
    "mnist.train_acc": ("train accuracy", "训练准确率"),
    "mnist.test_acc": ("test accuracy", "测试准确率"),
    "mnist.time": ("training time", "训练时间"),
    "mnist.step_time": ("time per step", "每步时间"),
    "mnist.digits": ("Test digits and what each network read", "测试数字与每个网络的判断"),
    "mnist.digits_caption": ("The digits most networks got wrong come first; ✗ marks a wrong answer.",
                             "多数网络判断错误的数字排在前面；✗ 表示判断错误。"),
    "mnist.truth": ("true digit", "真实数字"),
    "mnist.image": ("image", "图像"),
    "mnist.explain.optimizers": (
        "Every network starts from the same weights and sees the same batches, so the curves separate only "
        "because of the update rule. Plain SGD with lr 0.01 creeps; momentum keeps a running sum of gradients "
        "and moves faster along consistent directions; AdaGrad, RMSProp and Adam divide each parameter's step "
        "by the size of its recent gradients, so rarely-updated weights still move. Solid lines are smoothed "
        "losses, faint ones the raw batch losses: the noise comes from sampling the batch.",
        "所有网络从相同权重出发、看到相同的批次，曲线分开只因更新规则不同。学习率 0.01 的普通 SGD 走得很慢；"
        "动量累积梯度，在方向一致时走得更快；AdaGrad、RMSProp 与 Adam 用各参数近期梯度的大小去除步长，"
        "让很少更新的权重也能移动。实线是平滑后的损失，淡线是每批原始损失：噪声来自批次的随机抽样。",
    ),
    "mnist.explain.init": (
        "With std 0.01 the signal shrinks layer by layer, the gradients vanish, and the loss stays at ln 10 ≈ 2.30: "
        "the network guesses. Xavier keeps the variance for sigmoid and tanh, He for ReLU. The book ran its "
        "\"Xavier\" curve with ReLU; here each is shown with both activations, and sigmoid with plain SGD is slow "
        "whatever the initialisation.",
        "标准差 0.01 时信号逐层变小、梯度消失，损失停在 ln 10 ≈ 2.30：网络只是在猜。Xavier 为 sigmoid 与 tanh "
        "保持方差，He 为 ReLU 保持方差。书中的「Xavier」曲线其实用的是 ReLU；这里每种初始化都配两种激活函数，"
        "并且可以看到：sigmoid 配普通 SGD 无论怎样初始化都学得慢。",
    ),
    "mnist.explain.batchnorm": (
        "Batch norm rescales each layer's pre-activations to mean 0 and variance 1 over the batch, then lets the "
        "network learn a scale γ and shift β. Without it, weights that start too large blow up (diverged) and "
        "weights that start too small never get going: the loss stays at ln 10 ≈ 2.30, the accuracy at chance. "
        "With it, every scale rises above chance, though from std 1 and std 0.0001 far more slowly than from "
        "std 0.01. At test time the running averages of the batch statistics replace them.",
        "批归一化把每层的预激活在批内标准化为均值 0、方差 1，再学习缩放 γ 与平移 β。没有它时，初始权重太大会爆炸"
        "（发散），太小则学不动：损失停在 ln 10 ≈ 2.30，准确率停在随机水平。有了它，各种尺度都高于随机水平，"
        "但标准差 1 与 0.0001 比 0.01 慢得多。测试时用批统计量的滑动平均代替批统计量。",
    ),
    "mnist.explain.overfit": (
        "With 300 images the plain network drives its training accuracy to 100 % while test accuracy stalls: it "
        "memorises. Weight decay adds λ/2·Σw² to the loss (weights only, not biases), pulling every weight "
        "towards zero each step; dropout switches off a random 20 % of hidden units in every training step, so "
        "no unit can rely on another. Weight decay narrows the gap between the dashed and solid curves; dropout "
        "0.2 changes it little in these 900 steps, and neither raises the test accuracy here: they trade fit "
        "for a smaller gap.",
        "只有 300 张图片时，普通网络的训练准确率冲到 100 %，测试准确率却停滞：它在死记硬背。权重衰减在损失上加 "
        "λ/2·Σw²（只对权重，不对偏置），每步把权重拉向零；Dropout 在每个训练步随机关闭 20 % 的隐藏单元，"
        "让单元无法互相依赖。权重衰减缩小了虚线与实线之间的差距；Dropout 0.2 在这 900 步里对差距影响不大；"
        "两者在这里都没有提高测试准确率：它们用拟合程度换来更小的差距。",
    ),
    "mnist.explain.schedules": (
        "A schedule multiplies the base learning rate at every step. Step decay drops it at fixed points (watch "
        "the loss fall right after each drop); cosine annealing lowers it smoothly to zero by the end; warm-up "
        "starts small so the first, large gradients do not throw the weights far off.",
        "学习率调度在每一步给基础学习率乘一个系数。阶梯衰减在固定时刻降低学习率（注意每次下降后损失随之下降）；"
        "余弦退火在训练结束前平滑地降到零；预热从小学习率开始，避免最初的大梯度把权重甩得太远。",
    ),
    "mnist.explain.custom": (
        "Combine anything: the table's rows share the batches, the starting weights (when their layers and "
        "initialisation match) and the settings on the left. Change one thing at a time to see what it does.",
        "任意组合：表中各行共享批次、初始权重（层与初始化相同时）以及左侧的设置。一次只改一项，才能看清它的作用。",
    ),
}


def t(key: str, lang: str = "en", **values: object) -> str:
    """The string ``key`` in ``lang`` ("en" or "zh"), with ``values`` filled in."""
    text = CATALOGUE[key][LANGS.index(lang) if lang in LANGS else 0]
    return text.format(**values) if values else text

# Names of surfaces and schedules: formulas and proper nouns, the same in every language, because
# a URL-bound select stores the shown name in the link.
# Names of options, by code, in each language (English, 中文). Links carry the codes, so a link
# made in one language opens the same state in the other.
SURFACE_NAMES = {
    "bowl": ("x²/20 + y²",) * 2, "conditioned": ("x²/κ + y²",) * 2, "saddle": ("x² − y²",) * 2,
    "monkey": ("x³ − 3xy²",) * 2, "li": ("(1 − w₁w₂)²",) * 2, "rosenbrock": ("Rosenbrock",) * 2,
    "beale": ("Beale",) * 2, "himmelblau": ("Himmelblau",) * 2, "eggcrate": ("Egg crate", "蛋托"),
}
SCHEDULE_NAMES = {
    "constant": ("constant", "常数"), "step": ("step decay", "阶梯衰减"), "exponential": ("exponential decay", "指数衰减"),
    "cosine": ("cosine annealing", "余弦退火"), "warmup": ("linear warm-up", "线性预热"),
}
SCHEDULE_FORMULAS = {
    "constant": "η₀", "step": "η₀ · 0.2^⌊t/⌈T/3⌉⌋", "exponential": "η₀ · 0.01^(t/T)",
    "cosine": "η₀ · (1 + cos πt/T)/2", "warmup": "η₀ · min(1, (t+1)/⌈T/10⌉)",
}
INIT_NAMES = {"1": ("std 1",) * 2, "0.01": ("std 0.01",) * 2, "xavier": ("Xavier √(1/n)",) * 2,
              "he": ("He √(2/n)",) * 2, "custom": ("custom std", "自定义标准差")}
ACTIVATION_NAMES = {"sigmoid": ("sigmoid",) * 2, "tanh": ("tanh",) * 2, "relu": ("ReLU",) * 2,
                    "leaky_relu": ("leaky ReLU",) * 2, "linear": ("linear", "线性")}
LEGACY_NAMES = {  # what links made before the names were translated carry
    "eggcrate": ("Egg crate / 蛋托",), "custom": ("custom / 自定义",), "linear": ("linear / 线性",),
}


def named(names: dict[str, tuple[str, ...]], code: str, lang: str = "en") -> str:
    """The name of option ``code`` of ``names`` in ``lang``."""
    return names[code][LANGS.index(lang) if lang in LANGS else 0]


def link_names(names: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every name a link may carry for each code: its names in each language and older spellings."""
    return {code: (*labels, *LEGACY_NAMES.get(code, ())) for code, labels in names.items()}


# Update rules as LaTeX (the same in every language), PyTorch's conventions.
# The formulas shown under each MNIST experiment.
EXPERIMENT_FORMULAS: dict[str, tuple[str, ...]] = {
    "optimizers": tuple(OPTIMIZERS[k].formula for k in ("SGD", "Momentum", "AdaGrad", "Adam")),
    "init": (r"\mathrm{Var}(z) = n\,\mathrm{Var}(w)\,\mathrm{Var}(x),\qquad "
             r"\sigma_{\text{Xavier}} = \sqrt{1/n},\qquad \sigma_{\text{He}} = \sqrt{2/n}",
             r"L_{\text{guess}} = -\ln \tfrac{1}{10} = \ln 10 \approx 2.30"),
    "batchnorm": (r"\hat z = \frac{z - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}},\qquad y = \gamma \hat z + \beta",),
    "overfit": (r"L = L_{\text{CE}} + \frac{\lambda}{2} \sum_l \lVert W_l \rVert^2,\qquad "
                r"W \leftarrow W - \eta\,(\nabla_W L_{\text{CE}} + \lambda W)",
                r"h \leftarrow \frac{m \odot h}{1 - p},\quad m_i \sim \mathrm{Bernoulli}(1 - p)"),
    "schedules": (r"\eta_t = \eta_0 \cdot 0.2^{\lfloor t/\lceil T/3 \rceil \rfloor},\qquad "
                  r"\eta_t = \eta_0 \cdot \tfrac{1}{2}\bigl(1 + \cos \tfrac{\pi t}{T}\bigr),\qquad "
                  r"\eta_t = \eta_0 \cdot \min\bigl(1, \tfrac{t + 1}{\lceil T/10 \rceil}\bigr)",),
    "custom": (r"L_{\text{CE}} = -\frac{1}{B} \sum_{i=1}^{B} \log \operatorname{softmax}(z_i)_{y_i}",
               r"\text{L2: } W \leftarrow W - \eta\,\mathrm{step}(\nabla_W L_{\text{CE}} + \lambda W),\qquad "
               r"\text{AdamW: } W \leftarrow W (1 - \eta \lambda) - \eta\,\mathrm{step}_{\text{Adam}}(\nabla_W L_{\text{CE}})"),
}

# Rows of the small-vs-large-batch table (Li Hongyi's table 3.1): keys "bs.trade.<row>[.small|.large]".
TRADE_OFFS = ("update", "update_par", "epoch", "gradient", "optim", "general")
