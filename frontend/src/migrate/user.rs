//! `USER` of the image → gostage's non-root user, `image.user`, or a report.

use super::evaluate::{EvaluatedStage, StepKind};
use super::{Converter, Outcome};

/// A user created with `adduser`/`useradd` somewhere in the Dockerfile: its name and the uid
/// it was given (`-u 10001`, `--uid 10001`), if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CreatedUser {
    pub name: String,
    pub uid: Option<String>,
}

/// Options of `adduser` (BusyBox and Debian) and `useradd` that take a value.
const OPTIONS_WITH_VALUE: [&str; 20] = [
    "-u",
    "--uid",
    "-g",
    "--gid",
    "-G",
    "--groups",
    "-h",
    "--home",
    "-d",
    "--home-dir",
    "-s",
    "--shell",
    "-k",
    "--skel",
    "-c",
    "--comment",
    "--gecos",
    "--ingroup",
    "-K",
    "-e",
];

/// The users the Dockerfile's `RUN`s create.
pub(super) fn created_users(stages: &[EvaluatedStage]) -> Vec<CreatedUser> {
    let mut users = Vec::new();
    for stage in stages {
        for step in &stage.steps {
            let StepKind::Run { commands } = &step.kind else {
                continue;
            };
            for command in commands {
                let program = command.words.first().map(String::as_str).unwrap_or("");
                if !matches!(program, "adduser" | "useradd") {
                    continue;
                }
                let mut uid = None;
                let mut name = None;
                let mut arguments = command.words[1..].iter();
                while let Some(argument) = arguments.next() {
                    if let Some((option, value)) = argument.split_once('=') {
                        if option == "--uid" {
                            uid = Some(value.to_string());
                        }
                        continue;
                    }
                    if OPTIONS_WITH_VALUE.contains(&argument.as_str()) {
                        let value = arguments.next().cloned();
                        if argument == "-u" || argument == "--uid" {
                            uid = value;
                        }
                        continue;
                    }
                    if argument.starts_with('-') {
                        continue;
                    }
                    if name.is_none() {
                        name = Some(argument.clone());
                    }
                }
                if let Some(name) = name {
                    users.push(CreatedUser { name, uid });
                }
            }
        }
    }
    users
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

impl Converter<'_> {
    /// The image's `USER`.
    pub(super) fn user(&mut self, line: u32, text: &str, written: &str, base_has_users: bool) {
        let (user, group) = written.split_once(':').unwrap_or((written, ""));
        let outcome = if matches!(user, "nonroot" | "65532")
            && matches!(group, "" | "nonroot" | "65532")
        {
            Outcome::done("gostage runs the programs as 65532:65532 (`nonroot`) by default")
        } else if matches!(user, "root" | "0") {
            Outcome::not_carried(
                "it runs the programs as root, so a compromised program owns the container (lint rule RunsAsRoot)",
                "nothing: gostage runs them as 65532:65532; if the program needs root, write `image.user: \"0\"`",
            )
        } else if let Some(created) = super::user::created_users(self.stages)
            .into_iter()
            .find(|created| created.name == user)
        {
            let uid = match created.uid {
                Some(uid) => format!(
                    "; the Dockerfile gave it uid {uid}: write `image.user: \"{uid}\"` if files or volumes expect it"
                ),
                None => String::new(),
            };
            Outcome::done(format!(
                "`{user}` was created with adduser/useradd; gostage runs the programs as its own non-root user 65532:65532 (`nonroot`){uid}"
            ))
        } else if user == "nobody" && matches!(group, "" | "nobody" | "nogroup" | "65534") {
            self.draft.user = Some("65534:65534".to_string());
            Outcome::mapped("image.user", "65534:65534")
        } else if is_number(user) && (group.is_empty() || is_number(group)) {
            self.draft.user = Some(written.to_string());
            Outcome::mapped("image.user", written)
        } else {
            let where_defined = match base_has_users {
                true => "the name is looked up in the base image's /etc/passwd",
                false => "no stage creates it",
            };
            Outcome::not_carried(
                format!("`image.user` takes a numeric uid[:gid], and {where_defined}"),
                "gostage runs the programs as 65532:65532; write `image.user: \"UID[:GID]\"` for another user",
            )
        };
        self.add(line, text, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::dockerfile::read;
    use crate::migrate::evaluate::evaluate;

    #[test]
    fn finds_users_and_their_uids() {
        let text = "FROM alpine\nRUN addgroup -S app && adduser -S -D -u 10001 -G app app\nRUN useradd --uid=2000 -m worker\nRUN adduser --disabled-password --gecos \"\" plain\n";
        let evaluated = evaluate(&read(text).unwrap_or_else(|error| panic!("{error}")));
        assert_eq!(
            created_users(&evaluated.stages),
            [
                CreatedUser {
                    name: "app".into(),
                    uid: Some("10001".into())
                },
                CreatedUser {
                    name: "worker".into(),
                    uid: Some("2000".into())
                },
                CreatedUser {
                    name: "plain".into(),
                    uid: None
                },
            ]
        );
    }
}
