//! File ops: mkdir, mkfile and copy, chained into one op (`FileOp`, ops.proto; encoding as in
//! BuildKit's `client/llb/fileop.go`).

use bollard_buildkit_proto::pb;

use super::constraints::Constraints;
use super::graph::{InputList, Node, Output};

/// Options of one copy action. Timestamps are Unix nanoseconds; `None` keeps the source's.
#[derive(Clone, Debug, Default)]
pub struct CopyOptions {
    /// Copy the contents of a source directory rather than the directory itself.
    pub contents_only: bool,
    /// Set every copied file's mtime to this (Unix nanoseconds).
    pub timestamp: Option<i64>,
    /// Set this permission mode on copied files and directories; `None` keeps the source's.
    pub mode: Option<u32>,
    /// Set this numeric `(uid, gid)` owner on everything copied; `None` keeps the source's.
    pub owner: Option<(u32, u32)>,
}

/// A chain of file actions applied to `base` (`None` = scratch), encoded as one op:
/// `FileOp::on(base).mkdir(..).copy(..).build(&constraints, name)`.
///
/// Each action works on the result of the previous one; only the last action has an output,
/// as the daemon expects (`FileAction.output`).
pub struct FileOp {
    inputs: InputList,
    base_index: i64,
    actions: Vec<pb::FileAction>,
    caps: Vec<&'static str>,
}

impl FileOp {
    /// Starts a chain on `base` (`None` = scratch).
    pub fn on(base: Option<&Output>) -> Self {
        let mut inputs = InputList::default();
        let base_index = inputs.index_of(base);
        Self {
            inputs,
            base_index,
            actions: Vec::new(),
            caps: vec!["file.base"],
        }
    }

    /// Creates directory `path` (absolute) with `mode` and its parents, mtime `timestamp`
    /// (Unix nanoseconds).
    pub fn mkdir(mut self, path: &str, mode: u32, timestamp: i64) -> Self {
        let action = pb::FileActionMkDir {
            path: path.to_string(),
            mode: (mode & 0o777) as i32,
            make_parents: true,
            owner: None,
            timestamp,
        };
        self.push(-1, pb::file_action::Action::Mkdir(action));
        self
    }

    /// Writes `data` to `path` (absolute) with `mode`, mtime `timestamp` (Unix nanoseconds).
    pub fn mkfile(mut self, path: &str, mode: u32, data: &[u8], timestamp: i64) -> Self {
        let action = pb::FileActionMkFile {
            path: path.to_string(),
            mode: (mode & 0o777) as i32,
            data: data.to_vec(),
            owner: None,
            timestamp,
        };
        self.push(-1, pb::file_action::Action::Mkfile(action));
        self
    }

    /// Copies `src` of `from` (`None` = scratch) to `dest`, creating missing parents.
    pub fn copy(
        mut self,
        from: Option<&Output>,
        src: &str,
        dest: &str,
        options: &CopyOptions,
    ) -> Self {
        let secondary = self.inputs.index_of(from);
        let action = pb::FileActionCopy {
            src: src.to_string(),
            dest: dest.to_string(),
            // -1 keeps the source's mode and mtime; 0 would mean chmod 0000 / 1970.
            mode: options.mode.map_or(-1, |mode| mode as i32),
            timestamp: options.timestamp.unwrap_or(-1),
            owner: options.owner.map(|(uid, gid)| pb::ChownOpt {
                user: Some(user_id(uid)),
                group: Some(user_id(gid)),
            }),
            follow_symlink: true,
            dir_copy_contents: options.contents_only,
            create_dest_path: true,
            ..Default::default()
        };
        self.push(secondary, pb::file_action::Action::Copy(action));
        self
    }

    /// The op, named `name`.
    pub fn build(self, constraints: &Constraints, name: &str) -> Output {
        // Action k reads the result of action k-1, addressed as `len(Op.inputs) + (k-1)`
        // (`getIndex`, client/llb/fileop.go); the input count is only final now.
        let input_count = self.inputs.inputs.len() as i64;
        let last = self.actions.len().saturating_sub(1);
        let actions = self
            .actions
            .into_iter()
            .enumerate()
            .map(|(position, mut action)| {
                if position > 0 {
                    action.input = input_count + position as i64 - 1;
                }
                if position == last {
                    action.output = 0;
                }
                action
            })
            .collect();
        let body = pb::op::Op::File(pb::FileOp { actions });
        let node = Node::new(body, self.inputs.inputs, constraints, name, self.caps);
        Output::new(node, 0)
    }

    /// Appends an action; its primary input is fixed in `build` (the base for the first).
    fn push(&mut self, secondary_input: i64, action: pb::file_action::Action) {
        self.actions.push(pb::FileAction {
            input: self.base_index,
            secondary_input,
            output: -1,
            action: Some(action),
        });
    }
}

/// A numeric user or group for a `ChownOpt` (`UserOpt.ByID`, ops.proto).
fn user_id(id: u32) -> pb::UserOpt {
    pb::UserOpt {
        user: Some(pb::user_opt::User::ById(id)),
    }
}
